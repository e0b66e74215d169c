"""What intake needs to find a person quickly: each person's match features and candidate keys.

Derived rows, rebuilt from the person's record at any time (``openmash matching index``), so they hold nothing
that is not already in the record and need no audit of their own. They name the person by id rather than by a
foreign key so that matching sits below the people app, and the person planner (people) writes a new
person's rows in the same insert as the person."""

from django.db import models


class MatchProfile(models.Model):
    person_id = models.UUIDField(primary_key=True)
    # features.MatchRecord as a JSON object: what the scorer compares.
    features = models.JSONField()


class MatchKey(models.Model):
    person_id = models.UUIDField()
    key = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "person_id"], name="match_key_unique")]
        indexes = [models.Index(fields=["person_id"], name="match_key_person_idx")]
