"""A chronology as CSV (one row per entry the reader may see) and as PDF (title, who made it and when, the
entries, and the note of hidden entries). Both are built from the same ``Chronology`` the page shows."""

import csv
import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from openmash.accounts.actors import Actor
from openmash.chronology.selectors import Chronology, Entry
from openmash.lib.instants import LONDON

CSV_HEADERS = [
    "Happened",
    "Reported",
    "Recorded",
    "Shared",
    "Agency code",
    "Agency",
    "Type",
    "What happened",
    "Reference",
    "Where",
    "Summary",
    "Risk level",
    "Details",
    "About this child",
    "Recorded by",
    "Operation Encompass notice",
]


def hidden_note(count: int) -> str:
    if count == 1:
        return "1 entry from another agency is hidden because your organisation has no reason to see it."
    return (
        f"{count} entries from other agencies are hidden because your organisation has no reason to see them."
    )


def _iso(value: dt.datetime | None) -> str:
    return timezone.localtime(value, LONDON).isoformat(timespec="seconds") if value else ""


def _safe(value: str) -> str:
    """Free text that a spreadsheet would run as a formula is kept as text (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _pairs(items: list[tuple[str, str]]) -> str:
    return "; ".join(f"{label}: {text}" for label, text in items)


def _filename(chronology: Chronology, suffix: str) -> str:
    name = slugify(chronology.person.full_name) or "person"
    return f"chronology-{name}-{timezone.localdate():%Y-%m-%d}.{suffix}"


def _row(entry: Entry) -> list[str]:
    return [
        _iso(entry.occurred_at),
        _iso(entry.reported_at),
        _iso(entry.recorded_at),
        _iso(entry.shared_at),
        entry.agency_code,
        _safe(entry.agency_name),
        entry.kind,
        entry.kind_label,
        _safe(entry.reference),
        _safe(entry.location),
        _safe(entry.summary),
        entry.risk_level,
        _safe(_pairs(entry.details)),
        _safe(_pairs(entry.about_child)),
        _safe(entry.recorded_by),
        "Yes" if entry.encompass else "No",
    ]


def chronology_csv(chronology: Chronology) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(chronology, "csv")}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADERS)
    writer.writerows(_row(entry) for entry in chronology.entries)
    return response


# A font with the accents and letters of names from across Europe where the system has one (DejaVu);
# otherwise Bitstream Vera, which ships with reportlab and covers Western European names.
FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("Vera.ttf"), Path("VeraBd.ttf")),
]


def _fonts() -> tuple[str, str]:
    if "Chronology" not in pdfmetrics.getRegisteredFontNames():
        for regular, bold in FONT_CANDIDATES:
            if regular.is_absolute() and not (regular.exists() and bold.exists()):
                continue
            pdfmetrics.registerFont(TTFont("Chronology", str(regular)))
            pdfmetrics.registerFont(TTFont("Chronology-Bold", str(bold)))
            break
    return "Chronology", "Chronology-Bold"


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value, LONDON).strftime("%d %b %Y %H:%M") if value else ""


def _shared(entry: Entry) -> str:
    if entry.shared_at is None:
        return "Not shared with another agency"
    if entry.shared_at == entry.recorded_at:
        return "Shared as it was recorded"
    return f"Shared {_when(entry.shared_at)}"


def _what(entry: Entry) -> str:
    parts = [f"<b>{escape(entry.kind_label)}</b> {escape(entry.reference)}".strip()]
    if entry.encompass:
        parts.append("<i>Operation Encompass notice: what a school is told</i>")
    if entry.location:
        parts.append(f"Where: {escape(entry.location)}")
    if entry.summary:
        parts.append(escape(entry.summary).replace("\n", "<br/>"))
    if entry.risk_level:
        parts.append(f"Risk level: {escape(entry.risk_level)}")
    parts += [f"{escape(label)}: {escape(text)}" for label, text in entry.details]
    if entry.about_child:
        parts.append("About this child: " + escape(_pairs(entry.about_child)))
    return "<br/>".join(parts)


def chronology_pdf(chronology: Chronology, *, actor: Actor) -> HttpResponse:
    regular, bold = _fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName=regular, fontSize=9, leading=11)
    heading = ParagraphStyle("heading", parent=styles["Title"], fontName=bold, alignment=0)
    cell_head = ParagraphStyle("head", parent=body, fontName=bold)
    name = chronology.person.full_name or "Unnamed person"
    generated = timezone.localtime(timezone.now(), LONDON)
    organisation = actor.organisation.name if actor.organisation else ""

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(15 * mm, 8 * mm, f"OFFICIAL-SENSITIVE. Chronology of {name}. Page {document.page}.")
        canvas.restoreState()

    story = [
        Paragraph(escape(f"Chronology: {name}"), heading),
        Paragraph(
            escape(f"Generated {generated:%d %B %Y at %H:%M} (UK time) by {actor.label}, {organisation}."),
            body,
        ),
    ]
    if chronology.filters.as_query():
        shown = ", ".join(f"{key}: {value}" for key, value in chronology.filters.as_query().items())
        story.append(Paragraph(escape(f"Filtered to {shown}."), body))
    if chronology.hidden:
        story.append(Paragraph(escape(hidden_note(chronology.hidden)), body))
    story.append(Spacer(1, 4 * mm))
    headers = ["Happened", "Recorded and shared", "Agency", "What happened", "Recorded by"]
    rows = [[Paragraph(text, cell_head) for text in headers]]
    for entry in chronology.entries:
        rows.append(
            [
                Paragraph(escape(_when(entry.occurred_at)), body),
                Paragraph(
                    escape(f"Recorded {_when(entry.recorded_at)}") + "<br/>" + escape(_shared(entry)), body
                ),
                Paragraph(escape(entry.agency_name), body),
                Paragraph(_what(entry), body),
                Paragraph(escape(entry.recorded_by or "Not shown in this notice"), body),
            ]
        )
    if not chronology.entries:
        story.append(Paragraph("No entries to show.", body))
    else:
        table = Table(
            rows, colWidths=[30 * mm, 42 * mm, 40 * mm, 115 * mm, 40 * mm], repeatRows=1, splitInRow=1
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ]
            )
        )
        story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Chronology: {name}",
        author=actor.label,
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(chronology, "pdf")}"'
    return response
