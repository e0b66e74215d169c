"""How every figure is counted, in the service: docs/metrics.md rendered as a GOV.UK page (markdown-it-py), with
each heading's anchor its text (a measure's key), so a figure links to ``definitions#domestic_abuse_notifications``."""

import functools
import re
from html import escape
from pathlib import Path

from markdown_it import MarkdownIt

METRICS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"

# GOV.UK Frontend's classes for each element the document uses (its styles need them on the elements).
CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "table_open": "govuk-table",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "link_open": "govuk-link",
}
HEADINGS = {
    "h1": "govuk-heading-l",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
}


def anchor(text: str) -> str:
    """A heading's anchor: the measure's key as it is ("missing_children"), else its words joined by hyphens."""
    return re.sub(r"[^a-z0-9_]+", "-", text.strip().lower()).strip("-")


@functools.cache
def definitions_html() -> str:
    # No raw HTML from the file: only what Markdown writes.
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    if not METRICS.exists():  # installed without its source tree: say where the definitions are
        return (
            '<h1 class="govuk-heading-l">How each figure is counted</h1><p class="govuk-body">The definitions are '
            "in docs/metrics.md of OpenMASH's source, which this installation does not include.</p>"
        )
    tokens = markdown.parse(METRICS.read_text(encoding="utf-8"))
    heading, tables = "", []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("class", HEADINGS[token.tag])
            token.attrSet("id", anchor(tokens[index + 1].content))
            heading = tokens[index + 1].content
        elif token.type == "table_open":
            tables.append(heading)
        if token.type in CLASSES:
            token.attrSet("class", CLASSES[token.type])
        if token.children:
            for child in token.children:
                if child.type in CLASSES:
                    child.attrSet("class", CLASSES[child.type])
    html = markdown.renderer.render(tokens, markdown.options, {})
    # Each table in its own scroll region, named by its section, so that at 320px the page never scrolls
    # sideways (WCAG 1.4.10) and the region can be reached and scrolled from the keyboard.
    labels = iter(tables)
    html = re.sub(
        '<table class="govuk-table">',
        lambda _match: (
            f'<div class="openmash-table-scroll" role="region" aria-label="{escape(next(labels))}, table" '
            'tabindex="0"><table class="govuk-table">'
        ),
        html,
    )
    return html.replace("</table>", "</table></div>")
