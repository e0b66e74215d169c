"""A subject access export as files: a readable page (HTML, printable to PDF from any browser), the same as JSON
for the council's own case management or redaction tool, and both in one zip."""

import io
import json
import zipfile
from typing import Any

from django.template.loader import render_to_string

from openmash.subjectaccess.collect import REVIEW_WORDS, Document


def html_document(document: Document) -> str:
    return render_to_string(
        "subjectaccess/document.html",
        {"document": document, "review_words": REVIEW_WORDS, "counts": document.review_counts()},
    )


def json_document(document: Document) -> str:
    data: dict[str, Any] = document.as_json()
    data["review_marks"] = REVIEW_WORDS
    data["marked_for_review"] = document.review_counts()
    return json.dumps(data, indent=2, ensure_ascii=False)


def zip_document(document: Document) -> bytes:
    buffer = io.BytesIO()
    name = f"subject-access-{document.request.get('reference', 'export')}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.html", html_document(document))
        archive.writestr(f"{name}.json", json_document(document))
    return buffer.getvalue()


def document_bytes(document: Document, suffix: str) -> bytes:
    """The export as a file of the kind its name ends with: .html, .json or .zip (both)."""
    if suffix == ".html":
        return html_document(document).encode("utf-8")
    if suffix == ".json":
        return json_document(document).encode("utf-8")
    return zip_document(document)
