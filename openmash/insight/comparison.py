"""Each headline figure of every council area over one period, with the national median and the best quartile.

The best quartile is the value a quarter of the areas reach or do better than: the upper quartile where higher
is better, the lower quartile where lower is better (``headlines.Better``), interpolated as ``p90`` is (numpy's
default). Areas whose figure is ``None`` (nothing to count) are left out of both; with none left, both are
``None``. Counts only, never names.

Only areas with some row in the period are measured: an area with none has ``None`` for every headline figure
(each is a rate or a typical delay of rows that are not there), so leaving it out changes nothing.
``tests/insight/test_comparison.py`` checks that measuring every council gives the same answer. The active areas'
rows are read once for all of them (``headlines.headline_rows``) and each area's figures worked out from its own
by the definitions one area's dashboard uses, not a dozen queries an area.

The comparison is the same for every area's dashboard of a period, and a national year's figures move slowly.
For the dashboard's standard periods (``standard_periods``: the last 12 months, the financial year so far and the
last whole one) the worker works it out every ``OPENMASH_NATIONAL_COMPARISON_MINUTES`` and stores it
(``services.national_comparisons_refresh``, ``models.NationalComparison``); the dashboard reads the stored one
(``national_comparison_shown``). For any other period, or before the worker's first run, the dashboard works it
out itself and keeps it for ``NATIONAL_SECONDS`` (``national_comparison_kept``, in Django's cache: per process
unless a shared cache is configured). Both are ``national_comparison``, and the page says when it was worked out.
"""

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from openmash.insight.headlines import HEADLINES, Better, headline_measures_of, headline_rows, headline_values
from openmash.insight.measures import Period
from openmash.insight.models import NationalComparison
from openmash.insight.trends import default_period
from openmash.meetings.models import MeetingInvitation
from openmash.missing.models import MissingEpisode
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.sharing.models import Share
from openmash.vetting.models import VettingRequest


@dataclass(frozen=True)
class Comparison:
    median: float | None
    best_quartile: float | None
    areas: int  # how many areas had the figure


def quantile(values: list[float], fraction: float) -> float | None:
    """The value at rank ``fraction * (n - 1)`` of the sorted values, counting from 0, interpolated between the
    two either side (numpy's default, as ``measures.p90``)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def compare(values: Iterable[float | None], better: Better) -> Comparison:
    present = [value for value in values if value is not None]
    best = quantile(present, 0.75 if better == Better.HIGHER else 0.25)
    return Comparison(
        median=round(statistics.median(present), 2) if present else None,
        best_quartile=round(best, 2) if best is not None else None,
        areas=len(present),
    )


def active_councils(period: Period, now: dt.datetime | None = None) -> list[Organisation]:
    """The councils with any row a headline figure counts in the period: a share to them or their schools
    reported, or happening, within it; a missing episode of a child they are responsible for; a meeting they
    held; a vetting request open at its end."""
    now = now or timezone.now()
    within = (period.start, period.end)
    shares = Share.objects.filter(
        Q(reported_at__range=within)
        | Q(occurred_at__range=within)
        | Q(event__occurred_at__range=within)
        | Q(event__reported_at__range=within)
    )
    ids: set[int | None] = set(shares.values_list("recipient_id", flat=True).distinct())
    ids |= set(
        shares.filter(recipient__kind=OrganisationKind.SCHOOL)
        .values_list("recipient__parent_id", flat=True)
        .distinct()
    )
    ids |= set(
        MissingEpisode.objects.filter(reported_at__range=within)
        .values_list("council_id", flat=True)
        .distinct()
    )
    ids |= set(
        MeetingInvitation.objects.filter(meeting__held_at__range=within)
        .values_list("meeting__council_id", flat=True)
        .distinct()
    )
    at = min(now, period.end)
    ids |= set(
        VettingRequest.objects.filter(submitted_at__lt=at)
        .filter(Q(outcome="") | Q(outcome_at__gte=at))
        .values_list("council_id", flat=True)
        .distinct()
    )
    known = {pk for pk in ids if pk is not None}
    return list(Organisation.objects.filter(pk__in=known, kind=OrganisationKind.COUNCIL).order_by("code"))


def area_values(
    period: Period, *, now: dt.datetime | None = None, councils: Iterable[Organisation] | None = None
) -> dict[str, dict[str, float | None]]:
    """Each council's headline figures over the period, by council code (the active ones unless given): every
    council's rows read at once, then each council's measures worked out from its own by the definitions one
    area's dashboard uses (tests/insight/test_single_pass.py)."""
    now = now or timezone.now()
    chosen = active_councils(period, now) if councils is None else list(councils)
    rows = headline_rows(councils=chosen, period=period, now=now)
    return {
        council.code: headline_values(headline_measures_of(rows, council=council, period=period, now=now))
        for council in chosen
    }


def national_comparison(
    period: Period, *, now: dt.datetime | None = None, councils: Iterable[Organisation] | None = None
) -> dict[str, Comparison]:
    """The national median and best quartile of each headline figure over the period, by headline key."""
    values = area_values(period, now=now, councils=councils)
    return {
        headline.key: compare((area[headline.key] for area in values.values()), headline.better)
        for headline in HEADLINES
    }


# How long the dashboard keeps a period's national comparison: working it out reads every area's rows (seconds
# to minutes at national volume), while an area's own figures are read afresh on each visit.
NATIONAL_SECONDS = 15 * 60


def national_comparison_kept(period: Period) -> tuple[dict[str, Comparison], dt.datetime]:
    """``national_comparison`` of the period as worked out within the last ``NATIONAL_SECONDS``, and when."""
    key = f"openmash:insight:national:{period.first_day.isoformat()}:{period.last_day.isoformat()}"
    kept = cache.get(key)
    if kept is None:
        now = timezone.now()
        kept = (national_comparison(period, now=now), now)
        cache.set(key, kept, NATIONAL_SECONDS)
    return kept


def financial_year_of(day: dt.date) -> Period:
    """The financial year (1 April to 31 March) the day is in."""
    first = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return Period(first, dt.date(first.year + 1, 3, 31))


def standard_periods(today: dt.date) -> list[Period]:
    """The periods whose national comparison the worker keeps: the dashboard's own (the last 12 months), the
    financial year so far and the last whole financial year (the periods partnerships report on)."""
    this_year = financial_year_of(today)
    last_year = financial_year_of(this_year.first_day - dt.timedelta(days=1))
    periods = [default_period(today), Period(this_year.first_day, today), last_year]
    return list(dict.fromkeys(periods))  # the financial year so far is the last 12 months on 31 March


def comparison_figures(comparisons: dict[str, Comparison]) -> dict[str, dict[str, float | int | None]]:
    """As stored in ``NationalComparison.figures``."""
    return {
        key: {"median": c.median, "best_quartile": c.best_quartile, "areas": c.areas}
        for key, c in comparisons.items()
    }


def national_comparison_stored(period: Period) -> tuple[dict[str, Comparison], dt.datetime] | None:
    """The national comparison of the period the worker stored, and when it was worked out; None where there is
    none (not a standard period, or not yet worked out) or it lacks a headline figure (worked out before that
    figure was added)."""
    row = (
        NationalComparison.objects.filter(
            period_start=period.first_day, period_end=period.last_day, computed_at__isnull=False
        )
        .only("computed_at", "figures")
        .first()
    )
    if row is None or row.computed_at is None:
        return None
    try:
        comparisons = {
            headline.key: Comparison(
                median=row.figures[headline.key]["median"],
                best_quartile=row.figures[headline.key]["best_quartile"],
                areas=row.figures[headline.key]["areas"],
            )
            for headline in HEADLINES
        }
    except (KeyError, TypeError):
        return None
    return comparisons, row.computed_at


def national_comparison_shown(period: Period) -> tuple[dict[str, Comparison], dt.datetime]:
    """The national comparison the dashboard shows for the period, and when it was worked out: the worker's
    stored one, or else worked out now (and kept ``NATIONAL_SECONDS``)."""
    return national_comparison_stored(period) or national_comparison_kept(period)
