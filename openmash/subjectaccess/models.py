"""Subject access requests answered (UK GDPR Art 15): the request is the reason the data protection officer
read the whole record, so it is kept with its reference, when it was received and who exported what."""

from django.db import models

from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class SubjectAccessExport(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # The council answering (the controller the request was made to).
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The council's own reference for the request (its information governance case number).
    reference = models.CharField(max_length=60)
    # When the request was received: the month to answer it runs from here (Art 12(3)).
    received_on = models.DateField()
    exported_at = models.DateTimeField()
    exported_by_label = models.CharField(max_length=300)
    # How many values the export marked for the officer's review (third parties, practitioners, free text).
    marked_for_review = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-exported_at"]
        indexes = [models.Index(fields=["council", "exported_at"], name="subject_access_council_idx")]

    def __str__(self) -> str:
        return f"Subject access {self.reference}"
