"""The joint casework panel of the home page (links by role, lone visits waiting for a team manager), and\nwhere a step waiting for the other agency's answer stands."""

from django import template

from openmash.access import policy
from openmash.accounts.actors import actor_for_user
from openmash.accounts.models import Role, User
from openmash.casework import selectors
from openmash.organisations.models import OrganisationKind

register = template.Library()


@register.inclusion_tag("casework/_home.html", takes_context=True)
def casework_home(context) -> dict:
    user = context["request"].user
    if not isinstance(user, User):
        return {"show": False}
    actor = actor_for_user(user)
    kind = user.organisation.kind
    works = policy.works_cases(actor) and kind in (OrganisationKind.COUNCIL, OrganisationKind.POLICE)
    is_manager = actor.has_role(Role.TEAM_MANAGER)
    return {
        "show": works or policy.may_see_area_measures(actor),
        "works": works,
        "lone_visits": selectors.lone_visits_awaiting_review(actor=actor) if is_manager else None,
        "measures": policy.may_see_area_measures(actor),
    }


@register.filter
def answer_awaited(event):
    """Where the step an event records stands, if it waits for the other agency's answer (or None)."""
    return selectors.awaited_answer(event)
