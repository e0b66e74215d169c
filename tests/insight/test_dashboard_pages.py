"""The partnership dashboard's pages as each persona sees them: who may open them (everyone else gets 404),
what the lists name (only children the viewer may see), what is audited, and the period form's errors."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Inspection
from openmash.accounts.actors import system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import user_create
from openmash.audit.models import AuditEntry
from openmash.events.models import EventKind, EventSubject, SubjectRole
from openmash.insight import dashboard, headlines, trends
from openmash.insight.definitions import definitions_html
from openmash.insight.forms import period_query
from openmash.insight.measures import Period
from openmash.lib.clock_rules import ClockRule
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, Person
from openmash.sharing.models import Route, Share
from tests.insight.conftest import event

ALLOWED = ["partnership.lead", "team.manager", "inspector"]
REFUSED = [
    "police.officer",
    "police.designated",
    "social.worker",
    "school.dsl",
    "council.admin",
    "bury.social.worker",
]


@pytest.fixture
def stockton(cast):
    return cast.organisations["council"]


def pages(code: str) -> list[str]:
    return [
        reverse("insight:area", args=[code]),
        reverse("insight:findings", args=[code]),
        reverse("insight:area-list", args=[code, "da-notifications"]),
    ]


@pytest.mark.parametrize("username", ALLOWED)
def test_those_who_answer_for_the_area_see_its_dashboard(signed_in, stockton, username):
    client = signed_in(username)
    response = client.get(reverse("insight:area", args=[stockton.code]))
    assert response.status_code == 200
    assert "National median" in response.text and "Best quarter of areas" in response.text
    assert response.text.count('<img class="openmash-chart"') == len(response.context["board"].charts)
    assert AuditEntry.objects.filter(object_type="area-dashboard", object_id=stockton.code).exists()
    for page in pages(stockton.code)[1:]:
        assert client.get(page).status_code == 200


@pytest.mark.parametrize("username", REFUSED)
def test_everyone_else_gets_not_found(signed_in, stockton, username):
    client = signed_in(username)
    for page in pages(stockton.code):
        assert client.get(page).status_code == 404, page


def test_another_councils_managers_get_not_found(signed_in, cast, stockton, client):
    bury = cast.organisations["unrelated-council"]
    manager = user_create(
        actor=system_actor(bury),
        organisation=bury,
        username="bury.manager",
        email="bury.manager@example.org",
        first_name="Bo",
        last_name="Manager",
        roles=[Role.TEAM_MANAGER],
    )
    client.force_login(manager)
    for page in pages(stockton.code):
        assert client.get(page).status_code == 404
    assert client.get(reverse("insight:area", args=[bury.code])).status_code == 200


def test_another_areas_partnership_lead_gets_not_found(cast, stockton, client):
    bury = cast.organisations["unrelated-council"]
    partnership = Organisation.objects.create(
        code="ORG-BURY-SCP",
        name="Bury Safeguarding Partnership",
        kind=OrganisationKind.PARTNERSHIP,
        parent=bury,
        requires_two_factor=False,  # as the demo's organisations: signed in by the test client alone
    )
    lead = user_create(
        actor=system_actor(partnership),
        organisation=partnership,
        username="bury.lead",
        email="bury.lead@example.org",
        first_name="Bea",
        last_name="Lead",
        roles=[Role.PARTNERSHIP_LEAD],
    )
    client.force_login(lead)
    for page in pages(stockton.code):
        assert client.get(page).status_code == 404
    assert client.get(reverse("insight:area-home")).url == reverse("insight:area", args=[bury.code])


def test_an_inspector_sees_only_an_area_under_inspection_today(signed_in, cast, stockton):
    inspector = signed_in("inspector")
    bury = cast.organisations["unrelated-council"]
    assert inspector.get(reverse("insight:area", args=[bury.code])).status_code == 404
    assert inspector.get(reverse("insight:area", args=[stockton.code])).status_code == 200
    Inspection.objects.filter(council=stockton).update(
        starts_at=timezone.now() - dt.timedelta(days=10), ends_at=timezone.now() - dt.timedelta(days=1)
    )
    for page in pages(stockton.code):
        assert inspector.get(page).status_code == 404


def test_an_unknown_area_or_list_is_not_found(signed_in, stockton):
    client = signed_in("partnership.lead")
    assert client.get(reverse("insight:area", args=["E99999999"])).status_code == 404
    assert client.get(reverse("insight:area-list", args=[stockton.code, "no-such-list"])).status_code == 404
    overdue = reverse("insight:area-list", args=[stockton.code, "clocks-overdue"])
    assert client.get(f"{overdue}?rule=made-up").status_code == 404


def test_the_home_link_takes_each_lead_to_their_own_area(signed_in, stockton):
    response = signed_in("partnership.lead").get(reverse("insight:area-home"))
    assert response.status_code == 302 and response.url == reverse("insight:area", args=[stockton.code])
    assert signed_in("police.officer").get(reverse("insight:area-home")).status_code == 404


def test_the_drill_down_names_only_children_the_viewer_may_see(signed_in, cast, stockton):
    """One notification about two children: one lives in Stockton (the council may see her), one has no tie
    to it at all. The team manager sees her name and a count of one child not named; never his name."""
    police = cast.organisations["police"]
    seen = Person.objects.create(
        kind="child", given_name="Wilhelmina", family_name="Seen", recorded_by=police
    )
    Address.objects.create(person=seen, line_1="1 Test Street", postcode="TS18 1AA", council=stockton)
    hidden = Person.objects.create(
        kind="child", given_name="Bartholomew", family_name="Hidden", recorded_by=police
    )
    reported = timezone.now() - dt.timedelta(days=2)
    incident = event(EventKind.DOMESTIC_ABUSE, police, reported)
    for person in (seen, hidden):
        EventSubject.objects.create(event=incident, person=person, role=SubjectRole.CHILD)
    Share.objects.create(
        event=incident,
        recipient=stockton,
        route=Route.HOME_COUNCIL,
        notification_rule=ClockRule.DA_NOTIFICATION,
        notification_due_at=reported + dt.timedelta(hours=24),
        occurred_at=reported,
        reported_at=reported,
        recorded_at=reported + dt.timedelta(hours=30),
        shared_at=reported + dt.timedelta(hours=30),
    )
    today = timezone.localdate()
    query = period_query(Period(today - dt.timedelta(days=7), today))
    for key in ("da-notifications", "da-late"):
        response = signed_in("team.manager").get(
            reverse("insight:area-list", args=[stockton.code, key]) + f"?{query}"
        )
        assert response.status_code == 200
        assert "Wilhelmina Seen" in response.text
        assert "Bartholomew" not in response.text and "Hidden" not in response.text
        assert "Not named" in response.text and "counted here but not named" in response.text
    named = AuditEntry.objects.filter(object_type="area-list", person_id__isnull=False)
    assert set(named.values_list("person_id", flat=True)) == {seen.pk}
    # The inspector may see neither (neither is sampled): both counted, neither named.
    response = signed_in("inspector").get(
        reverse("insight:area-list", args=[stockton.code, "da-late"]) + f"?{query}"
    )
    assert "Wilhelmina" not in response.text and "Bartholomew" not in response.text
    assert response.text.count("Not named") >= 2


def test_wrong_dates_are_shown_in_an_error_summary(signed_in, stockton):
    url = reverse("insight:area", args=[stockton.code])
    response = signed_in("partnership.lead").get(
        url + "?from_date_0=31&from_date_1=2&from_date_2=2026&to_date_0=1&to_date_1=1&to_date_2=2026"
    )
    assert response.status_code == 200
    assert response.context["board"] is None
    assert "<title>Error: " in response.text
    assert "There is a problem" in response.text and "First day must be a real date" in response.text
    response = signed_in("partnership.lead").get(
        url + "?from_date_0=2&from_date_1=2&from_date_2=2026&to_date_0=1&to_date_1=1&to_date_2=2026"
    )
    assert "The last day must be the same as or after the first day" in response.text


def test_a_chosen_period_is_measured_and_carried_to_the_lists(signed_in, stockton):
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    url = reverse("insight:area", args=[stockton.code]) + f"?{period_query(period)}"
    response = signed_in("partnership.lead").get(url)
    board = response.context["board"]
    assert board.period == period
    assert [row[0] for row in board.charts[0].rows] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert "?" + period_query(period).replace("&", "&amp;") in response.text  # as HTML writes it
    assert "From 1 January 2026 to 31 March 2026" in response.text


def test_every_figure_links_to_its_definition_in_the_service(signed_in, stockton):
    response = signed_in("team.manager").get(reverse("insight:area", args=[stockton.code]))
    definitions = definitions_html()
    for row in response.context["board"].headlines:
        assert f'id="{row.headline.anchor}"' in definitions
        assert f"{reverse('insight:definitions')}#{row.headline.anchor}" in response.text
    page = signed_in("team.manager").get(reverse("insight:definitions"))
    assert page.status_code == 200 and 'id="domestic_abuse_notifications"' in page.text


def test_the_findings_report_downloads_as_a_pdf(signed_in, stockton):
    response = signed_in("partnership.lead").get(
        reverse("insight:findings", args=[stockton.code]) + "?format=pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_type="area-findings", object_id=stockton.code).count() == 1


def test_the_dashboard_reads_the_area_rows_once(signed_in, stockton, monkeypatch):
    """Its headline figures and its monthly trends come from one reading of the area's rows (issue 16: the
    dashboard under 500 ms at national volume, bench/national_pages.py)."""
    client = signed_in("team.manager")
    url = reverse("insight:area", args=[stockton.code])
    assert client.get(url).status_code == 200  # the national comparison worked out and kept
    reads = []

    def counted(**kwargs):
        reads.append(kwargs["councils"])
        return headlines.headline_rows(**kwargs)

    monkeypatch.setattr(dashboard, "headline_rows", counted)
    monkeypatch.setattr(trends, "headline_rows", counted)
    response = client.get(url)
    assert response.status_code == 200 and response.context["board"].charts
    assert reads == [[stockton]]
