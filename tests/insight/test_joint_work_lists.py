"""The lists behind the joint-work findings (lone visits, closures without the council's answer, late joint
interviews) as each persona sees them: through the same page and policy as every list, a child named only where
the viewer may see them, everyone else refused (404)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openmash.casework.models import ClosureStatus, VisitStatus
from openmash.insight.forms import period_query
from openmash.insight.measures import Period
from openmash.people.models import Address, Person
from tests.insight.test_casework_measures import _closure, _visit
from tests.insight.test_joint_work_measures import _interview

LISTS = ("visits-lone", "closures-unconsulted", "interviews-late")


def test_the_joint_work_lists_name_only_children_the_viewer_may_see(signed_in, cast):
    """Each list has one row about a child living in Stockton (the council may see her) and one about a child
    with no tie to it: the team manager sees her name and one not named; the inspector (nothing sampled) names
    neither; a police officer and a social worker get not found."""
    council, police = cast.organisations["council"], cast.organisations["police"]
    seen = Person.objects.create(
        kind="child", given_name="Wilhelmina", family_name="Seen", recorded_by=police
    )
    Address.objects.create(person=seen, line_1="1 Test Street", postcode="TS18 1AA", council=council)
    hidden = Person.objects.create(
        kind="child", given_name="Bartholomew", family_name="Hidden", recorded_by=police
    )
    asked = timezone.now() - dt.timedelta(days=20)
    for person in (seen, hidden):
        _visit(
            council, police, person, asked, status=VisitStatus.DONE, officer_present=False, lone_visit=True
        )
        _closure(
            council,
            police,
            person,
            asked,
            needs_agreement=False,
            status=ClosureStatus.CLOSED,
            closed_at=asked,
        )
        _interview(
            council,
            person,
            asked,
            (asked + dt.timedelta(days=3)).date(),
            held_at=asked + dt.timedelta(days=12),
        )
    today = timezone.localdate()
    query = period_query(Period(today - dt.timedelta(days=30), today))
    for key in LISTS:
        url = reverse("insight:area-list", args=[council.code, key]) + f"?{query}"
        response = signed_in("team.manager").get(url)
        assert response.status_code == 200, key
        assert "Wilhelmina Seen" in response.text, key
        assert "Bartholomew" not in response.text and "Hidden" not in response.text, key
        assert "Not named" in response.text, key
        inspector = signed_in("inspector").get(url)
        assert "Wilhelmina" not in inspector.text and inspector.text.count("Not named") >= 2, key
        for refused in ("police.officer", "social.worker"):
            assert signed_in(refused).get(url).status_code == 404, (key, refused)
