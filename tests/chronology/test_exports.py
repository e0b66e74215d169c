"""The CSV and PDF exports: what the page shows, in a file, with the same filters and the same limits."""

import csv
import datetime as dt
import io

import pypdf
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user
from openmash.chronology.exports import CSV_HEADERS
from openmash.events.models import EventKind
from openmash.recording.services import EventInput, PersonInput, event_record

from .stories import LONDON


def download(cast, username, page, person="Amelia Hart", **query):
    client = Client()
    client.force_login(cast.users[username])
    response = client.get(reverse(page, args=[cast.people[person].pk]), query)
    assert response.status_code == 200
    return response


def csv_rows(response) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    assert reader.fieldnames == CSV_HEADERS
    return list(reader)


def pdf_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    # Words only: a table cell wraps its text over lines wherever the column ends.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_csv_has_one_row_per_visible_entry_in_time_order(cast, story):
    response = download(cast, "social.worker", "chronology:csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="chronology-amelia-hart-')
    rows = csv_rows(response)
    assert [row["Type"] for row in rows] == ["information-share", "domestic-abuse", "referral", "missing"]
    share, incident, referral, missing = rows
    # ISO 8601 with the UK offset of the day: summer time in July, GMT in November.
    assert share["Happened"] == "2026-07-05T10:00:00+01:00"
    assert incident["Happened"] == "2026-11-10T21:30:00+00:00"
    assert incident["Reported"] == "2026-11-10T21:40:00+00:00"
    assert incident["Recorded"] == story.incident.recorded_at.astimezone().isoformat(timespec="seconds")
    assert incident["Shared"].endswith("+00:00")
    assert incident["Agency code"] == "E23000013" and incident["Agency"] == "Cleveland Police"
    assert incident["What happened"] == "Domestic abuse incident" and incident["Reference"] == "CLE-26-2001"
    assert incident["Risk level"] == "Medium"
    assert incident["Details"] == "Marac referral: No; Weapons: none seen"
    assert incident["About this child"] == (
        "Present: Yes; Saw or heard: Heard shouting; In their own words: I hid upstairs"
    )
    assert incident["Recorded by"] == "Priya Shah (police.officer)"
    assert referral["Agency"] == "Riverside Primary School (demo)"
    assert missing["Summary"] == "Did not come home from school"
    # A summary that a spreadsheet would run as a formula stays text.
    assert share["Summary"] == "'=HYPERLINK(health visitor concerns: <home conditions> & hygiene)"


def test_csv_follows_the_filters_and_the_access_policy(cast, story):
    police = csv_rows(download(cast, "police.officer", "chronology:csv"))
    assert [row["Type"] for row in police] == ["domestic-abuse", "missing"]
    filtered = csv_rows(download(cast, "police.officer", "chronology:csv", agency="E06000004"))
    assert [row["Type"] for row in filtered] == ["missing"]
    school = csv_rows(download(cast, "school.dsl", "chronology:csv"))
    notice = school[0]
    assert notice["Operation Encompass notice"] == "Yes"
    assert (notice["Risk level"], notice["Details"], notice["Recorded by"], notice["Reported"]) == (
        "",
        "",
        "",
        "",
    )
    assert notice["About this child"].endswith("In their own words: I hid upstairs")


def test_pdf_is_a_real_pdf_with_the_child_who_made_it_and_the_hidden_note(cast, story):
    response = download(cast, "police.officer", "chronology:pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="chronology-amelia-hart-')
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response)
    assert "Chronology: Amelia Hart" in text
    assert "Generated " in text and "by Priya Shah (police.officer), Cleveland Police" in text
    assert (
        "2 entries from other agencies are hidden because your organisation has no reason to see them" in text
    )
    assert "CLE-26-2001" in text and "Did not come home from school" in text
    assert "10 Nov 2026 21:30" in text
    assert "Bruise" not in text and "health visitor" not in text
    assert pypdf.PdfReader(io.BytesIO(response.content)).metadata.title == "Chronology: Amelia Hart"


def test_pdf_follows_the_filters_and_escapes_what_agencies_wrote(cast, story):
    response = download(cast, "social.worker", "chronology:pdf", type="information-share")
    text = pdf_text(response)
    assert "Filtered to type: information-share." in text
    assert "=HYPERLINK(health visitor concerns: <home conditions> & hygiene)" in text
    assert "CLE-26-2001" not in text
    assert "hidden" not in text


def test_pdf_of_a_school_shows_only_the_notice(cast, story):
    text = pdf_text(download(cast, "school.dsl", "chronology:pdf"))
    assert "Operation Encompass notice" in text and "I hid upstairs" in text
    assert "Risk level" not in text and "Priya Shah" not in text and "Marac" not in text


def test_pdf_splits_an_entry_longer_than_a_page(cast):
    amelia = cast.people["Amelia Hart"]
    event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=amelia.pk)],
            summary="A long report from the health visitor. " * 1500 + "The last line.",
            added_recipients=[cast.organisations["health"]],
        ),
    )
    response = download(cast, "social.worker", "chronology:pdf")
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) > 3
    assert "The last line." in pdf_text(response)
