"""``openmash inspect``: the measures of an area as JSON on standard output, or as an HTML or PDF file."""

import datetime as dt
import io
import json
from contextlib import redirect_stdout

import pytest
from django.core.management import CommandError, call_command

from openmash import cli
from openmash.accounts.actors import actor_for_user
from openmash.clocks import services as clock_services
from openmash.events.models import Source
from openmash.organisations.models import Nation, Organisation, OrganisationKind
from openmash.recording.services import event_record
from openmash.sharing.models import ImportedAs
from tests.insight.conftest import LONDON
from tests.sharing.conftest import incident_at_amelias_home

KEYS = {
    "area",
    "period",
    "measured_at",
    "domestic_abuse_notifications",
    "missing_children",
    "operation_encompass",
    "police_protection",
    "police_participation",
    "initial_conferences",
    "joint_visits",
    "investigation_closures",
    "evidential_interviews",
    "vetting_backlog",
    "clocks",
}


def inspect(*args: str) -> dict:
    out = io.StringIO()
    call_command("inspect", *args, stdout=out)
    return json.loads(out.getvalue())


def test_json_on_standard_output_under_the_issues_keys(area):
    result = inspect("--area", "TEST-COUNCIL", "--from", "2016-04-01", "--to", "2017-03-31")
    assert set(result) == KEYS
    assert result["area"] == {"code": "TEST-COUNCIL", "name": "Testshire"}
    assert result["period"] == {"from": "2016-04-01", "to": "2017-03-31"}
    assert set(result["domestic_abuse_notifications"]) == {
        "count",
        "delay_hours",
        "within_target_pct",
        "batched_pct",
    }
    assert set(result["domestic_abuse_notifications"]["delay_hours"]) == {"median", "p90", "max"}
    assert set(result["missing_children"]) >= {
        "episodes",
        "children",
        "missing_episodes",
        "away_episodes",
        "notification_delay_hours",
        "notified_within_target_pct",
        "repeat_children",
        "return_interviews",
    }
    assert set(result["missing_children"]["return_interviews"]) >= {
        "offered_within_72h_pct",
        "held_pct",
        "independent_pct",
    }
    assert result["domestic_abuse_notifications"]["within_target_pct"] is None


def test_the_openmash_command_line_runs_it(area, capsys):
    out = io.StringIO()
    with redirect_stdout(out):
        cli.main(["openmash", "inspect", "--area", "Testshire", "--from", "2026-03-01", "--to", "2026-03-31"])
    assert json.loads(out.getvalue() or capsys.readouterr().out)["area"]["code"] == "TEST-COUNCIL"


def test_notifications_recorded_through_the_service_are_judged_on_the_areas_own_figure(cast):
    """Two imported incidents at Stockton, shared 80 minutes and 3 hours after the report: both within the
    default 24 hours, one within the 2 hours the area sets for itself."""
    council = cast.organisations["council"]
    clock_services.area_setting_set(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=council,
        rule="da-notification",
        unit="hours",
        amount=2,
        reason="Tees protocol",
    )
    clock_services.forget_area_settings()
    officer = actor_for_user(cast.users["police.officer"])
    try:
        for n, delay in enumerate((dt.timedelta(minutes=80), dt.timedelta(hours=3))):
            reported = dt.datetime(2026, 6, 10 + n, 21, 40, tzinfo=LONDON)
            event_record(
                actor=officer,
                data=incident_at_amelias_home(
                    cast,
                    reference=f"CLE-26-90{n}",
                    occurred_at=reported - dt.timedelta(minutes=10),
                    reported_at=reported,
                    shared_at=reported + delay,
                    source=Source.IMPORT,
                    imported_as=ImportedAs.HISTORY,
                ),
            )
    finally:
        clock_services.forget_area_settings()
    result = inspect("--area", council.code, "--from", "2026-06-01", "--to", "2026-06-30")
    da = result["domestic_abuse_notifications"]
    assert da["count"] == 2
    assert da["delay_hours"] == {"median": 2.17, "p90": 2.83, "max": 3.0}
    assert da["within_target_pct"] == 50.0
    assert da["batched_pct"] == 0.0


def test_every_english_area_at_once_as_json_keyed_by_area_code(area, forces, notify, tmp_path):
    """``--area all``: each English council's measures under its code (a Welsh council is not one of the 153),
    each as ``--area CODE`` gives it."""
    other = Organisation.objects.create(code="TEST-C2", name="Otherton", kind=OrganisationKind.COUNCIL)
    Organisation.objects.create(
        code="TEST-WALES", name="Cymru Test", kind=OrganisationKind.COUNCIL, nation=Nation.WALES
    )
    reported = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    notify(forces[0], reported, reported + dt.timedelta(hours=2))
    notify(forces[1], reported, reported + dt.timedelta(hours=30), recipient=other)
    out = tmp_path / "all.json"
    call_command("inspect", "--area", "ALL", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out))
    every = json.loads(out.read_text())
    english = Organisation.objects.filter(kind=OrganisationKind.COUNCIL, nation=Nation.ENGLAND)
    assert set(every) == set(english.values_list("code", flat=True))
    assert "TEST-WALES" not in every
    assert every["TEST-COUNCIL"]["domestic_abuse_notifications"]["within_target_pct"] == 100.0
    assert every["TEST-C2"]["domestic_abuse_notifications"]["within_target_pct"] == 0.0
    for code in ("TEST-COUNCIL", "TEST-C2"):
        alone = inspect("--area", code, "--from", "2026-03-01", "--to", "2026-03-31")
        assert {**every[code], "measured_at": None} == {**alone, "measured_at": None}


def test_html_page_shows_each_figure_with_its_definition(area, tmp_path):
    out = tmp_path / "report.html"
    call_command(
        "inspect",
        "--area",
        "Testshire",
        "--from",
        "2026-03-29",
        "--to",
        "2026-03-29",
        "--format",
        "html",
        "--out",
        str(out),
    )
    page = out.read_text()
    assert '<h1 class="govuk-heading-l">Measures from 29 March 2026 to 29 March 2026</h1>' in page
    assert "Sent in batches" in page and "No data" in page
    assert 'href="docs/metrics.md#domestic_abuse_notifications"' in page
    assert 'href="docs/metrics.md#missing_children"' in page


def test_pdf_is_written(area, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "inspect",
        "--area",
        "Testshire",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "pdf",
        "--out",
        str(out),
    )
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--area", "Atlantis", "--from", "2026-03-01", "--to", "2026-03-31"], "Atlantis"),
        (["--area", "TEST-POLICE-1", "--from", "2026-03-01", "--to", "2026-03-31"], "not a council"),
        (["--area", "Testshire", "--from", "1 March", "--to", "2026-03-31"], "YYYY-MM-DD"),
        (["--area", "Testshire", "--from", "2026-03-31", "--to", "2026-03-01"], "before"),
        (["--area", "Testshire", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf"], "--out"),
        (["--area", "all", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "html"], "JSON only"),
    ],
)
def test_bad_input_is_refused_plainly(area, forces, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("inspect", *args)
