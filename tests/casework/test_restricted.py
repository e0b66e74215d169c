"""A restricted record (adoption) stays narrowed in casework lists: the police force asked for a joint visit
about a restricted child does not see the child's name there without a reason that covers restricted records."""

import pytest

from openmash.accounts.actors import actor_for_user
from openmash.casework import selectors
from openmash.lib.errors import NotFound


def test_a_restricted_childs_visit_is_hidden_from_an_agency_without_a_restricted_reason(cast, request_visit):
    ellis = cast.people["Ellis Reyes"]
    visit = request_visit(person=ellis)
    council = actor_for_user(cast.users["social.worker"])
    police = actor_for_user(cast.users["police.ppu"])
    assert visit in selectors.joint_visit_list(actor=council)
    assert visit not in selectors.joint_visit_list(actor=police)
    with pytest.raises(NotFound):
        selectors.joint_visit_open(actor=police, visit_id=visit.pk)


def test_an_unrestricted_childs_visit_is_seen_by_the_force_asked(cast, request_visit):
    visit = request_visit()
    assert visit in selectors.joint_visit_list(actor=actor_for_user(cast.users["police.ppu"]))
