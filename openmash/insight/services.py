"""Writes of the insight app: the national comparison of the dashboard's standard periods, worked out by the
worker (insight/jobs.py) and stored (models.NationalComparison), so that no dashboard request reads every
area's rows."""

import datetime as dt
import logging
import time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from openmash.database import write_transaction
from openmash.insight.comparison import comparison_figures, national_comparison, standard_periods
from openmash.insight.measures import Period
from openmash.insight.models import NationalComparison
from openmash.lib.replica import replica_reads

logger = logging.getLogger(__name__)

# How long a worker's claim on a period lasts: longer than working out a national year takes (tens of seconds),
# so that another worker takes it over only when the first has stopped.
CLAIM = dt.timedelta(minutes=30)


def _of(period: Period) -> Q:
    return Q(period_start=period.first_day, period_end=period.last_day)


def _claim(period: Period, *, at: dt.datetime, every: dt.timedelta) -> bool:
    """Claim the period's comparison for working out, if it is due (never worked out, or ``every`` ago) and no
    other worker holds it: one conditional UPDATE, so of several workers one wins."""
    with write_transaction():
        NationalComparison.objects.get_or_create(period_start=period.first_day, period_end=period.last_day)
        claimed = (
            NationalComparison.objects.filter(_of(period))
            .filter(Q(computed_at__isnull=True) | Q(computed_at__lte=at - every))
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=at))
            .update(claimed_until=at + CLAIM)
        )
    return claimed == 1


def national_comparisons_refresh(
    *, now: dt.datetime | None = None, every: dt.timedelta | None = None
) -> list[Period]:
    """Work out again, and store, the national comparison of each standard period (``comparison.standard_periods``)
    last worked out ``every`` ago or more (``OPENMASH_NATIONAL_COMPARISON_MINUTES`` unless given) and not being
    worked out by another worker; forget those of periods no longer standard. The periods worked out."""
    every = dt.timedelta(minutes=settings.NATIONAL_COMPARISON_MINUTES) if every is None else every
    periods = standard_periods(timezone.localdate(now or timezone.now()))
    done = []
    for period in periods:
        at = now or timezone.now()
        began = time.monotonic()
        if not _claim(period, at=at, every=every):
            continue
        try:
            # Every area's rows: read on the read replica when one is configured, as the dashboard's measures.
            with replica_reads():
                figures = comparison_figures(national_comparison(period, now=at))
        except Exception:
            with write_transaction():  # let another turn, or another worker, try again at once
                NationalComparison.objects.filter(_of(period)).update(claimed_until=None)
            raise
        with write_transaction():
            NationalComparison.objects.filter(_of(period)).update(
                computed_at=at, figures=figures, claimed_until=None
            )
        logger.info(
            "National comparison from %s to %s worked out in %.1f s",
            period.first_day,
            period.last_day,
            time.monotonic() - began,
        )
        done.append(period)
    standard = Q()
    for period in periods:
        standard |= _of(period)
    with write_transaction():
        NationalComparison.objects.exclude(standard).delete()
    return done
