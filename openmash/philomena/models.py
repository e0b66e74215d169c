"""Philomena profiles: what the police need at once when a looked-after child goes missing.

The Philomena Protocol (domain.md section 3): the child's carers and council keep a profile (description,
photo, associates, places, phone numbers, health needs and medication, and the child's earlier missing
episodes); when the child is reported missing it goes to the police force at once. The earlier episodes are
not copied here: they are the missing reports already recorded (openmash.events), read when the profile is
shown.
"""

from django.core.files.storage import FileSystemStorage, Storage
from django.db import models

from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


def photo_storage() -> Storage:
    """Photos are files under MEDIA_ROOT (read when a file is written or read, so a setting's change holds),
    in ``philomena/``, with no public address: no URL serves MEDIA_ROOT, and they are served only by the pages
    and endpoints that ask the access policy (philomena.views.photo, api.philomena.photo_get)."""
    return FileSystemStorage()


class PhilomenaProfile(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    child = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="philomena_profile")
    # The council responsible for the child when the profile was started: it releases the profile.
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True, help_text="Height, build, hair, eyes, marks, how they dress")
    # Each a list of short texts, one an item (a name and how they are known; a place; a number and whose).
    associates = models.JSONField(default=list, blank=True)
    places = models.JSONField(default=list, blank=True)
    phone_numbers = models.JSONField(default=list, blank=True)
    health_needs = models.TextField(blank=True)
    medication = models.TextField(blank=True)
    photo = models.FileField(storage=photo_storage, upload_to="philomena", blank=True, max_length=200)
    photo_content_type = models.CharField(max_length=40, blank=True)
    photo_taken_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by_label = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"Philomena profile of {self.child}"
