"""Each inspection recorded before grants: access from midnight (London time) at the start of its first day to
midnight at the end of its last, and its team every inspector of the inspectorate then, as the policy let them
read it before. Reversible: the days are read back from the times."""

import datetime as dt
import zoneinfo

from django.db import migrations

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def times_from_days(apps, schema_editor):
    Inspection = apps.get_model("access", "Inspection")
    Member = apps.get_model("access", "InspectionTeamMember")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    for inspection in Inspection.objects.all():
        inspection.starts_at = _midnight(inspection.starts_on)
        inspection.ends_at = _midnight(inspection.ends_on + dt.timedelta(days=1))
        inspection.save(update_fields=["starts_at", "ends_at"])
        inspectors = RoleAssignment.objects.filter(
            role="inspector", user__organisation_id=inspection.inspectorate_id
        ).values_list("user_id", flat=True)
        for user_id in set(inspectors):
            Member.objects.get_or_create(inspection=inspection, user_id=user_id)


def days_from_times(apps, schema_editor):
    Inspection = apps.get_model("access", "Inspection")
    for inspection in Inspection.objects.all():
        inspection.starts_on = inspection.starts_at.astimezone(LONDON).date()
        inspection.ends_on = (inspection.ends_at - dt.timedelta(microseconds=1)).astimezone(LONDON).date()
        inspection.save(update_fields=["starts_on", "ends_on"])


class Migration(migrations.Migration):
    dependencies = [("access", "0003_inspection_grant_fields")]

    operations = [migrations.RunPython(times_from_days, days_from_times)]
