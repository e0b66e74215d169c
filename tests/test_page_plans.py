"""A child's record, chronology and missing-episode link read that child's events, not every event on record
(issue 16: a person's record and a chronology under 300 ms at p95 at national volume; bench/national_pages.py).

On PostgreSQL the policy's "events shared with us" was an IN over every event the organisation received, which
the planner answered by scanning every event (73 ms for one child at 84,000 events, growing with the year). With
sequential scans priced out of reach, a plan that can use the indexes does; one that must scan every event still
shows it. SQLite plans these differently and is not asked."""

import pytest
from django.db import connection

from openmash.accounts.actors import actor_for_user
from openmash.missing.selectors import visible_episodes
from openmash.sharing.selectors import visible_events
from tests.recorded import amelias_incident_delivered

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def amelia(cast):
    amelias_incident_delivered(cast, "CLE-26-9100")
    return cast.people["Amelia Hart"]


@pytest.mark.parametrize("username", ["social.worker", "police.officer", "school.dsl"])
def test_a_childs_visible_events_are_read_from_that_childs_events(cast, amelia, username):
    actor = actor_for_user(cast.users[username])
    events = visible_events(actor, about=amelia.pk)
    assert "Seq Scan on events_event" not in _plan(events.values("pk"))
    if username != "school.dsl":
        assert events.filter(reference="CLE-26-9100").exists()


@pytest.mark.parametrize("username", ["social.worker", "police.officer"])
def test_whether_a_child_has_episodes_to_show_is_asked_of_that_childs_episodes(cast, amelia, username):
    actor = actor_for_user(cast.users[username])
    assert "Seq Scan on events_event" not in _plan(visible_episodes(actor).filter(child=amelia).values("pk"))
