"""Repeat missing: how many episodes in how many days make a child "repeat missing" in an area, and the
area's own figures (issue 15)."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.database import write_transaction
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.missing.models import (
    RepeatMissingSetting,
)
from openmash.organisations.models import Organisation, OrganisationKind

# Issue 15: 3 or more episodes in 90 days is repeat missing, unless the area sets its own figures.
REPEAT_EPISODES = 3
REPEAT_DAYS = 90
# What an area may set: at least two episodes (one is not a repeat), a window from a week to a year.
REPEAT_EPISODES_RANGE = (2, 20)
REPEAT_DAYS_RANGE = (7, 365)


def repeat_figures(council: Organisation | None) -> tuple[int, int]:
    """(episodes, days) that make repeat missing in the council's area: its own setting or 3 in 90."""
    setting = RepeatMissingSetting.objects.filter(council=council).first() if council is not None else None
    return (setting.episodes, setting.days) if setting is not None else (REPEAT_EPISODES, REPEAT_DAYS)


def repeat_figures_by_council(councils: Iterable[Organisation]) -> dict[Any, tuple[int, int]]:
    """``repeat_figures`` of each of the councils, by id, in one query (every area's measures at once)."""
    ids = [council.pk for council in councils]
    own = {
        setting.council_id: (setting.episodes, setting.days)
        for setting in RepeatMissingSetting.objects.filter(council_id__in=ids)
    }
    return {pk: own.get(pk, (REPEAT_EPISODES, REPEAT_DAYS)) for pk in ids}


def repeat_setting_set(
    *, actor: Actor, council: Organisation, episodes: int, days: int
) -> RepeatMissingSetting:
    """An area sets its own repeat-missing figures (the council's administrators or its partnership's leads:
    ``policy.may_set_repeat_missing``). Every field error at once; written and audited in one transaction."""
    if council.kind != OrganisationKind.COUNCIL or not policy.may_set_repeat_missing(actor, council.pk):
        raise NotAllowed("Only the area's administrators or partnership leads set its figures")
    errors = {}
    if not REPEAT_EPISODES_RANGE[0] <= episodes <= REPEAT_EPISODES_RANGE[1]:
        errors["episodes"] = "The number of episodes must be between {} and {}".format(*REPEAT_EPISODES_RANGE)
    if not REPEAT_DAYS_RANGE[0] <= days <= REPEAT_DAYS_RANGE[1]:
        errors["days"] = "The number of days must be between {} and {}".format(*REPEAT_DAYS_RANGE)
    if errors:
        raise InvalidInput(errors)
    was = repeat_figures(council)
    with write_transaction():
        setting, _ = RepeatMissingSetting.objects.update_or_create(
            council=council,
            defaults={
                "episodes": episodes,
                "days": days,
                "set_by_label": actor.label,
                "set_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="repeat-missing-setting",
            object_id=council.code,
            reason="set the repeat-missing figures",
            detail={"episodes": episodes, "days": days, "was": list(was)},
        )
    return setting
