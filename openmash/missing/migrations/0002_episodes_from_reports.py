"""Missing and found reports recorded before episodes existed become episodes: one per missing report, closed
by the found report that names it (issue 15)."""

from django.db import migrations

COUNCIL_ROUTES = ("responsible-council", "home-council")
RISKS = {"no-apparent-risk", "low", "medium", "high"}


def episodes_from_reports(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    EventSubject = apps.get_model("events", "EventSubject")
    Share = apps.get_model("sharing", "Share")
    MissingEpisode = apps.get_model("missing", "MissingEpisode")
    RiskGrading = apps.get_model("missing", "RiskGrading")
    found_by_missing = {
        found.related_event_id: found
        for found in Event.objects.filter(kind="found", related_event__isnull=False).order_by("occurred_at")
    }
    done = set(MissingEpisode.objects.values_list("missing_report_id", flat=True))
    for event in Event.objects.filter(kind="missing").exclude(pk__in=done).select_related("recorded_by"):
        subject = EventSubject.objects.filter(event=event, role="child").first()
        if subject is None:
            continue
        shares = list(Share.objects.filter(event=event, route__in=COUNCIL_ROUTES).order_by("shared_at"))
        responsible = [share for share in shares if share.route == "responsible-council"]
        council_share = (responsible or shares or [None])[0]
        council_id = council_share.recipient_id if council_share is not None else event.council_id
        if council_id is None and event.recorded_by.kind == "council":
            council_id = event.recorded_by_id
        risk = str(event.details.get("risk", "medium"))
        found = found_by_missing.get(event.pk)
        episode = MissingEpisode.objects.create(
            child_id=subject.person_id,
            council_id=council_id,
            looked_after=bool(responsible),
            category="A" if event.details.get("episode") == "A" else "M",
            risk=risk if risk in RISKS else "medium",
            reference=event.reference,
            reported_by_id=event.recorded_by_id,
            missing_report_id=event.pk,
            last_seen_at=event.occurred_at,
            last_seen_where=event.location,
            reported_at=event.reported_at or event.occurred_at,
            council_told_at=council_share.shared_at if council_share is not None else None,
            recorded_at=event.recorded_at,
            found_report_id=found.pk if found is not None else None,
            found_at=max(found.occurred_at, event.occurred_at) if found is not None else None,
            found_where=found.location if found is not None else "",
            found_by=found.recorded_by_label if found is not None else "",
        )
        RiskGrading.objects.create(
            episode=episode,
            risk=episode.risk,
            graded_at=episode.reported_at,
            organisation_id=event.recorded_by_id,
            graded_by_label=event.recorded_by_label,
            reason="Graded on the missing report",
        )


def episodes_removed(apps, schema_editor):
    apps.get_model("missing", "MissingEpisode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("missing", "0001_episodes_and_return_interviews"),
        ("events", "0010_return_interview_kind"),
        ("sharing", "0008_delivery_held"),
    ]

    operations = [migrations.RunPython(episodes_from_reports, episodes_removed)]
