"""A share's deadline: the statutory clock of its route, counted in the recipient's nation with its area's
own figures (clocks.services.deadline)."""

import datetime as dt

from openmash.clocks.services import deadline
from openmash.organisations.models import Organisation


def deadline_for(rule: str, start: dt.datetime, recipient: Organisation) -> dt.datetime | None:
    """When the recipient must have acted, or None for shares with no statutory clock (information shares)."""
    if not rule:
        return None
    return deadline(rule, start, recipient)
