from django import template

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.missing.selectors import visible_episodes

register = template.Library()


@register.inclusion_tag("missing/_person_link.html", takes_context=True)
def missing_episodes_link(context, person):
    """On a child's record, for those the policy lets read missing episodes and who may see one of this
    child's (an inspector: a sampled child's): the way to the child's episodes."""
    actor = actor_for_request(context["request"])
    shown = policy.may_read_missing_episodes(actor) and visible_episodes(actor).filter(child=person).exists()
    return {"person": person, "shown": shown}
