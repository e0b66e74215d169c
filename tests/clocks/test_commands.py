"""`openmash due` and `openmash rules`: anyone can check a deadline from the command line."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.actors import actor_for_user
from openmash.clocks import services
from openmash.lib.clock_rules import ClockRule


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_due_prints_the_deadline_as_json():
    # Christmas Eve 2026 (Thu), 16:00 GMT: 25 Dec and 28 Dec (Boxing Day's substitute) are bank holidays.
    payload = json.loads(run("due", "strategy-discussion", "2026-12-24T16:00", "--json"))
    assert payload == {
        "rule": "strategy-discussion",
        "nation": "england",
        "start": "2026-12-24T16:00:00+00:00",
        "due": "2026-12-29T23:59:59+00:00",
    }


def test_due_reads_offsets_and_keeps_summer_time():
    # 23:30 BST on Sat 24 Oct 2026 = 22:30 UTC; 24 elapsed hours cross the clock change (Sun 25 Oct).
    payload = json.loads(run("due", "da-notification", "2026-10-24T22:30:00Z", "--json", "--nation", "wales"))
    assert payload["start"] == "2026-10-24T23:30:00+01:00"
    assert payload["due"] == "2026-10-25T22:30:00+00:00"


def test_due_scotland_keeps_2_january():
    payload = json.loads(
        run("due", "referral-decision", "2026-12-31T10:00", "--json", "--nation", "scotland")
    )
    # Fri 1 Jan; Sat 2 Jan's substitute is Mon 4 Jan (Scotland only): the first working day is Tue 5 Jan.
    assert payload["due"] == "2027-01-05T23:59:59+00:00"


def test_due_in_words():
    out = run("due", "encompass", "2026-12-24T16:00")
    assert "2026-12-29T08:30:00+00:00" in out and "Tuesday 29 December 2026 at 08:30:00" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nonsense", "2026-12-24T16:00"], "unknown rule 'nonsense'"),
        (["assessment", "yesterday"], "not an ISO 8601 date and time"),
        (["assessment", "2026-12-24T16:00", "--org", "Atlantis"], "Atlantis"),
    ],
)
def test_due_refuses_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("due", *args)


def test_due_and_rules_apply_an_areas_figure(cast):
    services.area_setting_set(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=cast.organisations["council"],
        rule="strategy-discussion",
        unit="working_days",
        amount=3,
        reason="Tees procedures 4.2",
    )
    services.forget_area_settings()
    payload = json.loads(
        run("due", "strategy-discussion", "2026-12-23T15:00", "--json", "--org", "E06000004")
    )
    assert payload["due"] == "2026-12-30T23:59:59+00:00"
    assert "Tees procedures 4.2" in payload["area_setting"]
    plain = json.loads(run("due", "strategy-discussion", "2026-12-23T15:00", "--json", "--org", "Bury"))
    assert plain["due"] == "2026-12-24T23:59:59+00:00" and "area_setting" not in plain
    listed = run("rules", "--org", "Stockton-on-Tees")
    assert "area setting: 3 working days (Tees procedures 4.2)" in listed


def test_rules_lists_every_rule_with_its_source():
    out = run("rules", "--nation", "northern-ireland")
    for rule in ("referral-decision", "encompass", "dbs-enhanced", "escalation-stage"):
        assert f"{rule}: " in out
    assert out.count("  source: ") == len(ClockRule)
    assert "target: 80% of cases" in out
