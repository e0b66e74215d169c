from django import template

from openmash.accounts.actors import actor_for_request
from openmash.philomena.services import keeps_profiles_for

register = template.Library()


@register.inclusion_tag("philomena/_person_link.html", takes_context=True)
def philomena_link(context, person):
    """On a looked-after child's record, for its keepers: the way to the child's Philomena profile."""
    return {"person": person, "shown": keeps_profiles_for(actor_for_request(context["request"]), person)}
