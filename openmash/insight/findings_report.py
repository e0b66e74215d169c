"""The findings report as a PDF (reportlab, as the measures' and the chronology's): the same sentences as the
page, each with its figure, its comparison and the address of the cases behind it."""

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from openmash.lib.govuk import govuk_date, govuk_datetime

if TYPE_CHECKING:
    from openmash.insight.dashboard import FindingsReport


def findings_pdf(report: "FindingsReport", *, list_url: Callable[[str], str], definitions: str) -> bytes:
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    name = escape(report.council.name)
    story: list[Any] = [
        Paragraph(f"Findings for {name}", styles["Title"]),
        Paragraph(
            f"{govuk_date(report.period.first_day)} to {govuk_date(report.period.last_day)} (whole days, London "
            f"time). Measured on {govuk_datetime(report.measured_at)}.",
            styles["Normal"],
        ),
        Paragraph(f"How each figure is counted: {escape(definitions)}", styles["Normal"]),
        Spacer(1, 12),
    ]
    if not report.findings:
        story.append(
            Paragraph(
                "The figures for this period support no finding: where there were enough cases to judge, the "
                "area met each standard.",
                styles["Normal"],
            )
        )
    for number, finding in enumerate(report.findings, start=1):
        story += [
            Paragraph(f"{number}. {escape(finding.sentence)}", styles["Heading3"]),
            Paragraph(escape(f"{finding.figure} {finding.comparison}"), styles["Normal"]),
        ]
        if finding.drill:
            story.append(
                Paragraph(f"The cases behind it: {escape(list_url(finding.drill))}", styles["Normal"])
            )
        story.append(Spacer(1, 8))
    SimpleDocTemplate(out, pagesize=A4, title=f"Findings for {report.council.name}").build(story)
    return out.getvalue()
