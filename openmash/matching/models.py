"""What intake needs to find a person quickly: each person's match features and candidate keys.

Derived rows, rebuilt from the person's record at any time (``openmash matching index``), so they hold nothing
that is not already in the record and need no audit of their own."""

from django.db import models

from openmash.people.models import Person


class MatchProfile(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # features.MatchRecord as a JSON object: what the scorer compares.
    features = models.JSONField()


class MatchKey(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "person"], name="match_key_unique")]
