"""The measures of ``insight.measures`` as a report: one labelled figure a row, each with the anchor of its
definition in docs/metrics.md, written as HTML (GOV.UK styles) or PDF (reportlab, as the chronology's PDF)."""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from openmash.lib.govuk import govuk_date, govuk_datetime

# Where each figure's definition is: docs/metrics.md, headed by the measure's key.
DEFINITIONS = "docs/metrics.md"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    anchor: str


@dataclass(frozen=True)
class Section:
    title: str
    figures: list[Figure]


def _value(value: Any, unit: str = "") -> str:
    if value is None:
        return "No data"
    if unit == "%":
        return f"{value:.1f}%"
    if unit:
        return f"{value} {unit}"
    return str(value)


def _spread(label: str, spread: dict[str, Any], anchor: str) -> list[Figure]:
    return [
        Figure(f"{label}: median", _value(spread["median"], "hours"), anchor),
        Figure(f"{label}: 90th percentile", _value(spread["p90"], "hours"), anchor),
        Figure(f"{label}: longest", _value(spread["max"], "hours"), anchor),
    ]


def _participation(what: str, counts: dict[str, Any]) -> list[Figure]:
    anchor = "police_participation"
    return [
        Figure(f"{what}: police invited", _value(counts["meetings"]), anchor),
        Figure(f"{what}: police attended", _value(counts["attended"]), anchor),
        Figure(f"{what}: police sent written information only", _value(counts["written_only"]), anchor),
        Figure(f"{what}: police did not take part", _value(counts["none"]), anchor),
        Figure(f"{what}: police attended (of those invited)", _value(counts["attended_pct"], "%"), anchor),
    ]


def sections(measures: dict[str, Any]) -> list[Section]:
    da = measures["domestic_abuse_notifications"]
    missing = measures["missing_children"]
    interviews = missing["return_interviews"]
    police = measures["police_participation"]
    vetting = measures["vetting_backlog"]
    encompass = measures["operation_encompass"]
    protection = measures["police_protection"]
    visits = measures["joint_visits"]
    closures = measures["investigation_closures"]
    joint = measures["evidential_interviews"]
    da_anchor, missing_anchor = "domestic_abuse_notifications", "missing_children"
    return [
        Section(
            "Domestic-abuse notifications to children's social care",
            [
                Figure("Notifications", _value(da["count"]), da_anchor),
                *_spread("Time from report to police to the council", da["delay_hours"], da_anchor),
                Figure("Shared within the area's target", _value(da["within_target_pct"], "%"), da_anchor),
                Figure("Sent in batches", _value(da["batched_pct"], "%"), da_anchor),
            ],
        ),
        Section(
            "Missing children",
            [
                Figure("Episodes", _value(missing["episodes"]), missing_anchor),
                Figure("Children", _value(missing["children"]), missing_anchor),
                Figure("Missing episodes", _value(missing["missing_episodes"]), missing_anchor),
                Figure("Away without authorisation", _value(missing["away_episodes"]), missing_anchor),
                *_spread("Time to tell the council", missing["notification_delay_hours"], missing_anchor),
                Figure(
                    "Council told in time", _value(missing["notified_within_target_pct"], "%"), missing_anchor
                ),
                Figure("Children missing repeatedly", _value(missing["repeat_children"]), missing_anchor),
                Figure("Episodes with a found time", _value(interviews["found_episodes"]), missing_anchor),
                Figure(
                    "Return interview offered within 72 hours",
                    _value(interviews["offered_within_72h_pct"], "%"),
                    missing_anchor,
                ),
                Figure("Return interview held", _value(interviews["held_pct"], "%"), missing_anchor),
                Figure(
                    "Held by an independent interviewer",
                    _value(interviews["independent_pct"], "%"),
                    missing_anchor,
                ),
            ],
        ),
        Section(
            "Operation Encompass notices to schools",
            [
                Figure("Notices", _value(encompass["notices"]), "operation_encompass"),
                *_spread(
                    "Time from report to police to the school",
                    encompass["delay_hours"],
                    "operation_encompass",
                ),
                Figure(
                    "Before the next school day",
                    _value(encompass["before_next_school_day_pct"], "%"),
                    "operation_encompass",
                ),
            ],
        ),
        Section(
            "Police protection",
            [
                Figure("Uses", _value(protection["uses"]), "police_protection"),
                Figure(
                    "Alternatives discussed",
                    _value(protection["alternatives_discussed_pct"], "%"),
                    "police_protection",
                ),
                *_spread(
                    "Time to tell the council", protection["council_told_delay_hours"], "police_protection"
                ),
                Figure(
                    "Council told in time",
                    _value(protection["council_told_within_target_pct"], "%"),
                    "police_protection",
                ),
            ],
        ),
        Section(
            "Police taking part in meetings",
            [
                *_participation("Strategy discussions", police["strategy_discussions"]),
                *_participation("Initial conferences", police["conferences"]["initial"]),
                *_participation("Review conferences", police["conferences"]["review"]),
                *_participation("Pre-birth conferences", police["conferences"]["pre_birth"]),
            ],
        ),
        Section(
            "Joint work between the police and social workers",
            [
                Figure("Visits needing an officer", _value(visits["needed"]), "joint_visits"),
                Figure("Visits made by social workers alone", _value(visits["lone_visits"]), "joint_visits"),
                Figure("Made alone (of those made)", _value(visits["lone_pct"], "%"), "joint_visits"),
                Figure("Investigation closures", _value(closures["closures"]), "investigation_closures"),
                Figure(
                    "Closed without the council's answer",
                    _value(closures["without_consultation"]),
                    "investigation_closures",
                ),
                Figure("Disputed by the council", _value(closures["disputed"]), "investigation_closures"),
                Figure("Joint interviews asked for", _value(joint["asked"]), "evidential_interviews"),
                Figure(
                    "Joint interviews held by their target date (of those due)",
                    _value(joint["held_by_target_pct"], "%"),
                    "evidential_interviews",
                ),
                Figure(
                    "Joint interviews: median days after the target",
                    _value(joint["days_late"]["median"], "days"),
                    "evidential_interviews",
                ),
                Figure("Joint interviews not held", _value(joint["not_held"]), "evidential_interviews"),
            ],
        ),
        Section(
            "Vetting checks waiting",
            [
                Figure("Open requests", _value(vetting["open"]), "vetting_backlog"),
                Figure("Median wait", _value(vetting["median_age_days"], "days"), "vetting_backlog"),
                Figure("Past the service standard", _value(vetting["over_standard"]), "vetting_backlog"),
                Figure(
                    "Prospective foster carers or adopters waiting",
                    _value(vetting["carers_or_adopters_waiting"]),
                    "vetting_backlog",
                ),
            ],
        ),
        Section(
            "Statutory clocks",
            [
                Figure(
                    clock["title"],
                    f"{clock['met']} met in time, {clock['late']} late, {clock['overdue']} overdue, "
                    f"{clock['running']} running",
                    "clocks",
                )
                for clock in measures["clocks"]
            ],
        ),
    ]


def html_report(measures: dict[str, Any], *, definitions: str = DEFINITIONS) -> str:
    return render_to_string(
        "insight/measures_report.html",
        {
            "measures": measures,
            "sections": sections(measures),
            "definitions": definitions,
            "first_day": govuk_date(dt.date.fromisoformat(measures["period"]["from"])),
            "last_day": govuk_date(dt.date.fromisoformat(measures["period"]["to"])),
            "measured_at": govuk_datetime(dt.datetime.fromisoformat(measures["measured_at"])),
        },
    )


def pdf_report(measures: dict[str, Any]) -> bytes:
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    area, period = measures["area"], measures["period"]
    story: list[Any] = [
        Paragraph(f"Measures for {area['name']}", styles["Title"]),
        Paragraph(
            f"{govuk_date(dt.date.fromisoformat(period['from']))} to "
            f"{govuk_date(dt.date.fromisoformat(period['to']))} (whole days, London time)",
            styles["Normal"],
        ),
        Paragraph(f"Each figure is defined in {DEFINITIONS}.", styles["Normal"]),
    ]
    for section in sections(measures):
        story += [Spacer(1, 12), Paragraph(section.title, styles["Heading2"])]
        if not section.figures:
            story.append(Paragraph("None recorded.", styles["Normal"]))
            continue
        table = Table(
            [
                [Paragraph(f.label, styles["Normal"]), Paragraph(f.value, styles["Normal"])]
                for f in section.figures
            ],
            colWidths=[300, 170],
        )
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey)]))
        story.append(table)
    SimpleDocTemplate(out, pagesize=A4, title=f"Measures for {area['name']}").build(story)
    return out.getvalue()
