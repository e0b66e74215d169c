from django import template

from openmash.vetting.selectors import wait_words

register = template.Library()


@register.filter
def wait(value):
    """How long someone has waited, in words ("3 days")."""
    return wait_words(value)
