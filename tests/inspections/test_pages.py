"""The grant pages (inspectorate, team and times, check your answers, confirmation, revoke), the draw of the
sample, and the audit: every page and list the team reads is an entry, and the area's administrators see them on
"Who has looked at what"."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openmash.access.models import INSPECTION_SAMPLE_SIZE, Inspection, InspectionSample
from openmash.access.services import inspection_sample_draw
from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditAction, AuditEntry
from openmash.inspections.selectors import sample_population
from openmash.people.models import ChildStatusKind
from openmash.people.services import child_status_record


def _team_form(cast, **changes):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    ends = tomorrow + dt.timedelta(days=10)
    data = {
        "team": [str(cast.users["inspector"].pk)],
        "starts_date_0": tomorrow.day,
        "starts_date_1": tomorrow.month,
        "starts_date_2": tomorrow.year,
        "starts_time": "09:00",
        "ends_date_0": ends.day,
        "ends_date_1": ends.month,
        "ends_date_2": ends.year,
        "ends_time": "17:30",
        "reference": "ILACS-WEB-1",
        "reason": "Inspection of local authority children's services",
    }
    data.update(changes)
    return data


def test_an_administrator_grants_through_the_pages(cast, signed_in):
    admin = signed_in("council.admin")
    assert "Inspection access" in admin.get("/").text
    # One question a page: the question is the page's heading.
    first = admin.get(reverse("inspections:grant-inspectorate"))
    assert "govuk-fieldset__heading" in first.text and "<h1" in first.text
    page = admin.post(reverse("inspections:grant-inspectorate"), {})
    assert page.status_code == 200 and "Select the inspectorate" in page.text and "Error:" in page.text
    page = admin.post(
        reverse("inspections:grant-inspectorate"), {"inspectorate": cast.organisations["inspectorate"].pk}
    )
    assert page.url == reverse("inspections:grant-team")
    # Every problem at once, in an error summary linking to each control; nothing saved.
    page = admin.post(
        reverse("inspections:grant-team"), _team_form(cast, team=[], reference="", ends_time="25:00")
    )
    assert page.status_code == 200
    for message in (
        "Select at least one inspector",
        "Enter the inspection&#x27;s reference",
        "must be a real time",
    ):
        assert message in page.text
    assert 'href="#id_team_1"' in page.text
    too_long = timezone.localdate() + dt.timedelta(days=60)
    page = admin.post(
        reverse("inspections:grant-team"),
        _team_form(cast, ends_date_0=too_long.day, ends_date_1=too_long.month, ends_date_2=too_long.year),
    )
    assert "Access can last at most 42 days" in page.text
    page = admin.post(reverse("inspections:grant-team"), _team_form(cast))
    assert page.url == reverse("inspections:grant-check")
    check = admin.get(page.url)
    assert "Olu Adeyemi" in check.text and "ILACS-WEB-1" in check.text and "9:00am" in check.text
    assert not Inspection.objects.filter(reference="ILACS-WEB-1").exists()
    done = admin.post(reverse("inspections:grant-check"))
    granted = Inspection.objects.get(reference="ILACS-WEB-1")
    assert done.url == reverse("inspections:grant-done", args=[granted.pk])
    assert "Access granted" in admin.get(done.url).text
    assert [user.username for user in granted.team.all()] == ["inspector"]
    assert granted.granted_by == cast.users["council.admin"] and granted.reason.startswith("Inspection of")
    assert AuditEntry.objects.filter(
        object_type="inspection", object_id=str(granted.pk), action=AuditAction.GRANT
    ).exists()
    # Listed, and ended early from its page with a reason.
    assert "ILACS-WEB-1" in admin.get(reverse("inspections:grants")).text
    page = admin.post(reverse("inspections:grant-revoke", args=[granted.pk]), {"reason": ""})
    assert "Enter why access is ending early" in page.text
    admin.post(reverse("inspections:grant-revoke", args=[granted.pk]), {"reason": "Inspection postponed"})
    granted.refresh_from_db()
    assert granted.revoked_at is not None and granted.revoked_reason == "Inspection postponed"
    assert "Access revoked" in admin.get(reverse("inspections:grant", args=[granted.pk])).text


def test_check_your_answers_without_the_earlier_pages_goes_back_to_the_start(signed_in):
    page = signed_in("council.admin").get(reverse("inspections:grant-check"))
    assert page.url == reverse("inspections:grant-inspectorate")


def test_the_sample_is_drawn_once_from_the_areas_cases_and_repeatable_from_its_seed(cast, grant, signed_in):
    council = cast.organisations["council"]
    worker = actor_for_user(cast.users["social.worker"])
    child_status_record(
        actor=worker,
        person=cast.people["Noah Hart"],
        council=council,
        status=ChildStatusKind.PROTECTION_PLAN,
        start_date=dt.date(2026, 2, 1),
    )
    population = sample_population(grant)
    # Amelia (child in need), Leo (looked after), Noah (plan); never Ellis, whose record is restricted.
    names = {cast.people[name].pk: name for name in ("Amelia Hart", "Leo Marsh", "Noah Hart")}
    assert set(population) == set(names)
    inspector = signed_in("inspector")
    assert "Draw the sample" in inspector.get(reverse("inspections:sample", args=[grant.pk])).text
    inspector.post(reverse("inspections:sample", args=[grant.pk]))
    drawn = list(InspectionSample.objects.filter(inspection=grant))
    assert len(drawn) == min(INSPECTION_SAMPLE_SIZE, 3)
    assert {item.drawn_by for item in drawn} == {cast.users["inspector"]}
    [seed] = {item.seed for item in drawn}
    page = inspector.get(reverse("inspections:sample", args=[grant.pk]))
    assert "Draw the sample" not in page.text and "drawn by OpenMASH for Olu Adeyemi" in page.text
    # Drawn once: a second draw changes nothing.
    inspector.post(reverse("inspections:sample", args=[grant.pk]))
    assert InspectionSample.objects.filter(inspection=grant).count() == len(drawn)
    entry = AuditEntry.objects.get(object_type="inspection-sample", object_id=str(grant.pk))
    assert entry.detail["seed"] == seed and entry.detail["population"] == 3
    # The same seed over the same children draws the same sample again.
    again = Inspection.objects.create(
        inspectorate=grant.inspectorate,
        council=grant.council,
        reference="ILACS-AGAIN",
        starts_at=grant.starts_at,
        ends_at=grant.ends_at,
    )
    again.members.create(user=cast.users["inspector"])
    inspection_sample_draw(
        actor=actor_for_user(cast.users["inspector"]), inspection=again, population=population, seed=seed
    )
    assert {item.person_id for item in again.samples.all()} == {item.person_id for item in drawn}


def test_a_sampled_childs_record_opens_for_the_team(cast, grant, signed_in):
    inspection_sample_draw(
        actor=actor_for_user(cast.users["inspector"]),
        inspection=grant,
        population=[cast.people["Noah Hart"].pk],
        seed=7,
    )
    inspector = signed_in("inspector")
    assert inspector.get(reverse("people:record", args=[cast.people["Noah Hart"].pk])).status_code == 200
    # Not sampled: still not found.
    assert inspector.get(reverse("people:record", args=[cast.people["Amelia Hart"].pk])).status_code == 404


def test_every_read_by_the_team_is_audited_and_shown_to_the_area(cast, grant, signed_in, other_inspector):
    noah = cast.people["Noah Hart"]
    inspection_sample_draw(
        actor=actor_for_user(cast.users["inspector"]), inspection=grant, population=[noah.pk], seed=1
    )
    inspector = signed_in("inspector")
    before = AuditEntry.objects.count()
    inspector.get(reverse("inspections:inspection", args=[grant.pk]))
    inspector.get(reverse("inspections:measures", args=[grant.pk]))
    inspector.get(reverse("inspections:list", args=[grant.pk, 8]))
    inspector.get(reverse("inspections:sample", args=[grant.pk]))
    inspector.get(reverse("people:record", args=[noah.pk]))
    entries = list(
        AuditEntry.objects.filter(sequence__gt=AuditEntry.objects.order_by("sequence")[before - 1].sequence)
    )
    pages = [entry.detail.get("page") for entry in entries if entry.object_type == "inspection"]
    assert pages == ["inspection", "measures", "list 8", "sample"]
    export = next(entry for entry in entries if entry.action == AuditAction.EXPORT)
    assert export.detail["list"] == 8 and export.detail["rows"] == 1
    assert export.detail["children"] == [str(cast.people["Leo Marsh"].pk)]
    assert any(entry.object_type == "person" and entry.person_id == noah.pk for entry in entries)
    looks = signed_in("council.admin").get(reverse("inspections:grant-looks", args=[grant.pk]))
    assert looks.status_code == 200
    whats = [(look.who, look.what, look.child) for look in looks.context["looks"]]
    who = "Olu Adeyemi (inspector)"
    assert (who, "Opened the child's record", noah) in whats
    assert (who, "Read the area's measures", None) in whats
    assert (who, "Downloaded list 8 (children in care): 1 child", None) in whats
    assert (who, "Drew the sample of cases: 1 child of 1 child", None) in whats
    assert "Noah Hart" in looks.text and "Read the sampled cases" in looks.text
    # Only the area's administrators see it.
    for username in ("social.worker", "inspector", "bury.social.worker", "partnership.lead"):
        assert signed_in(username).get(reverse("inspections:grant-looks", args=[grant.pk])).status_code == 404


def test_the_measures_page_lists_the_areas_measures(grant, signed_in):
    page = signed_in("inspector").get(reverse("inspections:measures", args=[grant.pk]))
    titles = [section.title for section in page.context["measures"].sections]
    assert "Domestic-abuse notifications to children's social care" in titles and "Missing children" in titles
    assert (page.context["measures"].period.last_day - page.context["measures"].period.first_day).days == 364
