"""Reads for the partnership dashboard (issue 16): an area's headline figures with the national median and best
quartile, their monthly trends as charts, the findings they support and the lists of cases behind them.

Each read asks the policy first (``may_see_area_dashboard``; "not allowed" is "not there", a 404) and audits
itself. Figures are counts; the lists name only the children the viewer may see (``people.selectors``) and
count the rest.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.insight.charts import Chart, trend_charts
from openmash.insight.comparison import Comparison, national_comparison_shown
from openmash.insight.drilldown import LISTS, SHOWN, AreaList, Line, clock_rule_titles, list_lines
from openmash.insight.findings import Finding, area_findings, figure_text
from openmash.insight.headlines import (
    HEADLINES,
    Headline,
    dig,
    headline_measures,
    headline_measures_of,
    headline_rows,
)
from openmash.insight.measures import Period, clocks
from openmash.insight.trends import monthly_trends
from openmash.lib.errors import NotFound
from openmash.lib.replica import replica_reads
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people import selectors as people_selectors


def area_for(*, actor: Actor, code: str) -> Organisation:
    """The council area with this code if the actor may see its dashboard; NotFound otherwise (as for none)."""
    council = Organisation.objects.filter(code=code, kind=OrganisationKind.COUNCIL).first()
    if council is None or not policy.may_see_area_dashboard(actor, council):
        raise NotFound("No such area")
    return council


def _audit(actor: Actor, what: str, council: Organisation, period: Period, **detail: object) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type=what,
            object_id=council.code,
            reason="read the area's measures",
            detail={"from": period.first_day.isoformat(), "to": period.last_day.isoformat(), **detail},
        )


@dataclass(frozen=True)
class HeadlineRow:
    headline: Headline
    value: str
    base: int
    median: str
    best_quartile: str


@dataclass(frozen=True)
class Dashboard:
    council: Organisation
    period: Period
    measured_at: dt.datetime
    compared_at: dt.datetime  # when the national comparison was worked out
    headlines: list[HeadlineRow]
    counts: dict[str, int]
    charts: list[Chart]
    clocks: list[dict[str, object]]
    findings: list[Finding]


def _headline_rows(measures: dict[str, object], comparisons: dict[str, Comparison]) -> list[HeadlineRow]:
    rows = []
    for headline in HEADLINES:
        comparison = comparisons[headline.key]
        rows.append(
            HeadlineRow(
                headline=headline,
                value=figure_text(dig(measures, headline.path), headline.unit).capitalize(),
                base=dig(measures, headline.base),
                median=figure_text(comparison.median, headline.unit).capitalize(),
                best_quartile=figure_text(comparison.best_quartile, headline.unit).capitalize(),
            )
        )
    return rows


def area_dashboard(*, actor: Actor, code: str, period: Period) -> Dashboard:
    council = area_for(actor=actor, code=code)
    now = timezone.now()
    # The measures' heavy reads on the read replica when one is configured (lib/replica.py); who may see the
    # area was asked of the primary above, and the audit below is written there.
    with replica_reads():
        # The area's rows of the period read once, for its figures of the whole period and of each month.
        rows = headline_rows(councils=[council], period=period, now=now)
        measures = headline_measures_of(rows, council=council, period=period, now=now)
        # The worker's stored comparison for the standard periods; worked out here only for any other period.
        comparisons, compared_at = national_comparison_shown(period)
        dashboard = Dashboard(
            council=council,
            period=period,
            measured_at=now,
            compared_at=compared_at,
            headlines=_headline_rows(measures, comparisons),
            counts={
                "da_notifications": measures["domestic_abuse_notifications"]["count"],
                "missing_episodes": measures["missing_children"]["episodes"],
                "vetting_open": measures["vetting_backlog"]["open"],
            },
            charts=trend_charts(monthly_trends(council=council, period=period, now=now, rows=rows)),
            clocks=clocks(council=council, period=period, now=now),
            findings=area_findings(measures, comparisons),
        )
    _audit(actor, "area-dashboard", council, period)
    return dashboard


@dataclass(frozen=True)
class FindingsReport:
    council: Organisation
    period: Period
    measured_at: dt.datetime
    findings: list[Finding]


def findings_report(*, actor: Actor, code: str, period: Period) -> FindingsReport:
    council = area_for(actor=actor, code=code)
    now = timezone.now()
    with replica_reads():  # as the dashboard's
        measures = headline_measures(council=council, period=period, now=now)
        comparisons, _compared_at = national_comparison_shown(period)
        report = FindingsReport(council, period, now, area_findings(measures, comparisons))
    _audit(actor, "area-findings", council, period)
    return report


@dataclass(frozen=True)
class NamedChild:
    person_id: uuid.UUID
    name: str  # "" where the viewer may not see the child


@dataclass(frozen=True)
class ListPage:
    council: Organisation
    period: Period
    area_list: AreaList
    total: int
    rows: list[tuple[Line, list[NamedChild]]]
    unnamed: int  # rows' children the viewer may not see: counted, not named


def area_list(*, actor: Actor, code: str, key: str, period: Period, rule: str = "") -> ListPage:
    """The cases behind one figure; each child named only where the viewer may see them. Audited: the list, and
    each child named in it."""
    council = area_for(actor=actor, code=code)
    kind = LISTS.get(key)
    if kind is None:
        raise NotFound("No such list")
    now = timezone.now()
    rule_title = ""
    if key == "clocks-overdue":
        titles = clock_rule_titles(council, period, now)
        if rule not in titles:
            raise NotFound("No such list")
        rule_title = titles[rule]
    lines = list_lines(key=key, council=council, period=period, rule=rule, now=now)
    shown = lines[:SHOWN]
    ids = {child for line in shown for child in line.children}
    visible = {
        person.pk: person.full_name or "Unnamed"
        for person in people_selectors.visible_people(actor).filter(pk__in=ids)
    }
    rows = [(line, [NamedChild(child, visible.get(child, "")) for child in line.children]) for line in shown]
    unnamed = sum(1 for _line, children in rows for child in children if not child.name)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="area-list",
            object_id=f"{council.code}:{key}",
            reason="read the cases behind an area's measure",
            detail={
                "from": period.first_day.isoformat(),
                "to": period.last_day.isoformat(),
                "rows": len(lines),
                "rule": rule,
            },
        )
        for person_id in sorted(visible, key=str):
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="area-list",
                object_id=f"{council.code}:{key}",
                person_id=person_id,
                reason="named in the cases behind an area's measure",
            )
    area = AreaList(key, kind.title, kind.anchor, kind.headers, lines, rule_title=rule_title)
    return ListPage(council, period, area, len(lines), rows, unnamed)
