from django import template

from openmash.accounts.actors import actor_for_request
from openmash.philomena.services import may_keep

register = template.Library()


@register.inclusion_tag("philomena/_person_link.html", takes_context=True)
def philomena_link(context, person):
    """On a looked-after child's record, for its keepers: the way to the child's Philomena profile."""
    return {"person": person, "shown": may_keep(actor_for_request(context["request"]), person)}
