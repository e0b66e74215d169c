"""openmash generate --scenario letter-2016: each 2016 area's failure shows in ``openmash inspect`` and the good
areas' figures do not; the same seed gives the same data. Generated at the floors (a tiny scale) to keep it
quick."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from openmash.demo.letter2016 import AREAS, LONDON, generate_letter_2016
from openmash.events.models import Event
from openmash.insight.findings import area_findings
from openmash.meetings.models import EvidentialInterview, Meeting
from openmash.organisations.services import reference_load

TINY = 0.0001  # every volume at its floor
GOOD = ("Trafford", "Kingston upon Thames", "North Tyneside")

pytestmark = pytest.mark.django_db


def inspect(area: str) -> dict:
    out = io.StringIO()
    call_command(
        "inspect", area=area, first_day="2015-04-01", last_day="2016-03-31", format="json", stdout=out
    )
    return json.loads(out.getvalue())


@pytest.fixture
def letter_2016():
    reference_load()
    generated = generate_letter_2016(seed=7, scale=TINY)
    return generated, {area.council: inspect(area.council) for area in AREAS}


def _conference_police(measures: dict) -> float:
    initial = measures["police_participation"]["conferences"]["initial"]
    return initial["attended_pct"]


def _each_areas_failure_shows_and_the_good_areas_do_not(letter_2016):
    generated, m = letter_2016
    assert len(generated.areas) == 16
    good = [m[name] for name in GOOD]
    da = {name: m[name]["domestic_abuse_notifications"] for name in m}

    # Bury: notifications in batches; the good areas none.
    assert da["Bury"]["batched_pct"] >= 50
    assert all(g["domestic_abuse_notifications"]["batched_pct"] == 0 for g in good)
    # Medway, Wirral, Slough: weeks of delay (median over 7 days); the good areas under a day.
    for name in ("Medway", "Wirral", "Slough"):
        assert da[name]["delay_hours"]["median"] >= 7 * 24, name
        assert da[name]["within_target_pct"] == 0, name
    assert all(g["domestic_abuse_notifications"]["delay_hours"]["max"] < 24 for g in good)
    # Bromley: told late of missing children; the good areas in time.
    assert m["Bromley"]["missing_children"]["notified_within_target_pct"] < 50
    assert all(g["missing_children"]["notified_within_target_pct"] == 100 for g in good)
    # Dorset, Bury, Peterborough, West Sussex: police absent from conferences, worse than every good area.
    worst_good = min(_conference_police(g) for g in good)
    for name in ("Dorset", "Bury", "Peterborough", "West Sussex"):
        initial = m[name]["police_participation"]["conferences"]["initial"]
        assert initial["none"] + initial["written_only"] > 0, name
        assert _conference_police(m[name]) < worst_good, name
    # Stockton: officers at strategy discussions in writing only, and told not to attend pre-birth conferences.
    stockton_sd = m["Stockton-on-Tees"]["police_participation"]["strategy_discussions"]
    assert stockton_sd["written_only"] > 0
    stockton_pre_birth = m["Stockton-on-Tees"]["police_participation"]["conferences"]["pre_birth"]
    assert (
        stockton_pre_birth["meetings"] >= 5 and stockton_pre_birth["none"] == stockton_pre_birth["meetings"]
    )
    for g in good:
        pre_birth = g["police_participation"]["conferences"]["pre_birth"]
        assert pre_birth["meetings"] >= 1 and pre_birth["attended_pct"] == 100
    # Southend: no joint visits, social workers alone; the good areas always with an officer.
    southend = m["Southend-on-Sea"]["joint_visits"]
    assert southend["with_officer"] == 0 and southend["lone_pct"] == 100
    assert all(g["joint_visits"]["lone_visits"] == 0 and g["joint_visits"]["done"] > 0 for g in good)
    # Torbay: police protection without discussing alternatives.
    assert m["Torbay"]["police_protection"]["alternatives_discussed_pct"] < 50
    assert all(g["police_protection"]["alternatives_discussed_pct"] == 100 for g in good)
    # Stockton: an investigation closed without consulting the council, and one disputed.
    closures = m["Stockton-on-Tees"]["investigation_closures"]
    assert closures["without_consultation"] >= 1 and closures["disputed"] >= 1
    assert all(g["investigation_closures"]["without_consultation"] == 0 for g in good)
    assert all(g["investigation_closures"]["disputed"] == 0 for g in good)
    # Wandsworth and Dorset: vetting backlogs of carers and adopters past the standard; the good areas none.
    for name in ("Wandsworth", "Dorset"):
        backlog = m[name]["vetting_backlog"]
        assert backlog["over_standard"] >= 1 and backlog["carers_or_adopters_waiting"] >= 1, name
    assert all(g["vetting_backlog"]["open"] == 0 for g in good)
    # Every plan's first review was held, so no clock of the year is left overdue in the good areas.
    for g in good:
        assert all(clock["overdue"] == 0 for clock in g["clocks"]), g["clocks"]


class _Rollback(Exception):
    pass


def _generate_and_measure(seed: int, areas) -> tuple:
    """Generate, measure and count, then roll it all back (so the next run starts from the same database)."""
    result: tuple = ()
    try:
        with transaction.atomic():
            generated = generate_letter_2016(seed=seed, scale=TINY, areas=areas)
            figures = {area.council: inspect(area.council) for area in areas}
            for each in figures.values():
                each.pop("measured_at")
            result = (generated.counts, figures, Event.objects.count(), Meeting.objects.count())
            raise _Rollback
    except _Rollback:
        pass
    return result


def test_the_same_seed_gives_the_same_data():
    reference_load()
    areas = (AREAS[0], AREAS[-1])  # Bury and North Tyneside: enough to compare, quick to make twice
    first = _generate_and_measure(11, areas)
    second = _generate_and_measure(11, areas)
    assert first == second
    assert first[1]["Bury"]["domestic_abuse_notifications"]["count"] > 0
    other = _generate_and_measure(12, areas)
    assert other[0] == first[0]  # the same volumes, other people and times
    bury = "Bury"
    assert (
        other[1][bury]["domestic_abuse_notifications"]["delay_hours"]
        != first[1][bury]["domestic_abuse_notifications"]["delay_hours"]
    )


def _findings(measures: dict) -> set[str]:
    # Without the other areas' comparison: a finding is drawn from the area's own figure (insight.findings).
    return {finding.headline.key for finding in area_findings(measures, {})}


def _each_areas_finding_is_drawn_and_none_for_the_good_areas(letter_2016):
    _generated, m = letter_2016
    findings = {name: _findings(measures) for name, measures in m.items()}
    # Stockton-on-Tees: officers unavailable for strategy discussions, and told not to attend pre-birth ones.
    assert findings["Stockton-on-Tees"] == {
        "police_at_strategy",
        "police_at_pre_birth",
        "closures_unconsulted",
    }
    assert findings["Bury"] == {"da_batched", "da_in_time", "da_median_delay", "police_at_pre_birth"}
    for name in ("Medway", "Wirral", "Slough"):
        assert findings[name] == {"da_in_time", "da_median_delay"}, name
    assert findings["Bromley"] == {"missing_told_in_time", "missing_median_delay"}
    # Police absent from conferences: at the floors, their five pre-birth conferences are enough to say so.
    # Dorset's vetting backlog too.
    assert findings["Dorset"] == {"police_at_pre_birth", "vetting_median_wait"}
    for name in ("Peterborough", "West Sussex"):
        assert findings[name] == {"police_at_pre_birth"}, name
    assert findings["Doncaster"] == {"interviews_in_time"}
    assert findings["Southend-on-Sea"] == {"visits_lone"}
    assert findings["Torbay"] == {"protection_alternatives"}
    assert findings["Wandsworth"] == {"vetting_median_wait"}
    for name in GOOD:
        assert findings[name] == set(), (name, findings[name])


def _each_finding_has_its_figure_comparison_and_list(letter_2016):
    """The new findings read as the others do: a sentence, its figure and a list of the cases behind it."""
    _generated, m = letter_2016
    for area, key, drill in (
        ("Doncaster", "interviews_in_time", "interviews-late"),
        ("Southend-on-Sea", "visits_lone", "visits-lone"),
        ("Stockton-on-Tees", "closures_unconsulted", "closures-unconsulted"),
    ):
        (finding,) = [f for f in area_findings(m[area], {}) if f.headline.key == key]
        assert finding.drill == drill and finding.sentence.endswith(".")
        assert f"of {finding.base} " in finding.figure, finding.figure
        assert "No other area" in finding.comparison
    doncaster = m["Doncaster"]["evidential_interviews"]
    assert (
        doncaster["asked"] >= 5
        and doncaster["held_by_target"] == 0
        and doncaster["days_late"]["median"] >= 14
    )


def _doncasters_joint_interviews_are_recorded_late_and_the_others_in_time(letter_2016):
    """Doncaster 2016: joint (evidential) interviews not held soon enough. The product records each interview a
    strategy discussion asks for, with its target date and when it was held (``EvidentialInterview``), and
    ``evidential_interviews`` measures them: what was recorded, and what the measure says of it."""
    interviews = EvidentialInterview.objects.select_related("strategy_discussion__council")
    by_area: dict[str, list[EvidentialInterview]] = {}
    for interview in interviews:
        by_area.setdefault(interview.strategy_discussion.council.name, []).append(interview)
    assert set(by_area) == {area.council for area in AREAS}

    def late(interview: EvidentialInterview) -> bool:
        assert interview.held_at is not None and interview.event_id is not None
        return interview.held_at.astimezone(LONDON).date() > interview.target_date

    assert by_area["Doncaster"] and all(late(interview) for interview in by_area["Doncaster"])
    for name, recorded in by_area.items():
        if name != "Doncaster":
            assert not any(late(interview) for interview in recorded), name
    _generated, m = letter_2016
    for name, recorded in by_area.items():
        measure = m[name]["evidential_interviews"]
        assert measure["asked"] == measure["held"] == measure["due"] == len(recorded), name
        assert measure["held_by_target_pct"] == (0 if name == "Doncaster" else 100), name


def test_the_letter_2016_year(letter_2016):
    """One generated year, every check of it: generating the year is most of the time (minutes on
    PostgreSQL under load), so it is generated once for the four."""
    _each_areas_failure_shows_and_the_good_areas_do_not(letter_2016)
    _each_areas_finding_is_drawn_and_none_for_the_good_areas(letter_2016)
    _each_finding_has_its_figure_comparison_and_list(letter_2016)
    _doncasters_joint_interviews_are_recorded_late_and_the_others_in_time(letter_2016)
