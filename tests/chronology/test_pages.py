"""The chronology page and its exports against the cast of personas; the page's content; a constant number of
queries however long the chronology is."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, import_actor
from openmash.audit.models import AuditAction, AuditEntry
from openmash.events.models import EventKind, Source
from openmash.recording.services import EventInput, PersonInput, event_record

from .stories import LONDON, record_incident

PAGES = ["chronology:chronology", "chronology:csv", "chronology:pdf"]

# person -> persona -> may see the chronology
MATRIX = {
    "Amelia Hart": {
        "social.worker": True,  # the owning council
        "police.officer": True,  # the police force that recorded the incident
        "bury.social.worker": False,  # an unrelated council
        "inspector": False,  # not sampled
        "council.admin": False,  # administrators see no case content
    },
    "Leo Marsh": {
        "social.worker": True,
        "police.officer": False,
        "bury.social.worker": False,
        "inspector": True,  # sampled for the inspection under way
        "council.admin": False,
    },
}


def client_for(cast, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    return client


def chronology_views(person_id):
    return AuditEntry.objects.filter(person_id=person_id, object_type="chronology").count()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("person", MATRIX)
@pytest.mark.parametrize("persona", [*MATRIX["Amelia Hart"], "anonymous"])
def test_it_is_seen_only_with_a_reason_to_see_the_child(cast, story, page, person, persona):
    target = cast.people[person]
    before = chronology_views(target.pk)
    response = client_for(cast, persona).get(reverse(page, args=[target.pk]))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    elif MATRIX[person][persona]:
        assert response.status_code == 200
        assert chronology_views(target.pk) == before + 1
    else:
        assert response.status_code == 404
        assert target.family_name.encode() not in response.content
        assert chronology_views(target.pk) == before


def test_a_chronology_that_does_not_exist_looks_like_one_not_allowed(cast):
    client = client_for(cast, "bury.social.worker")
    missing = client.get(reverse("chronology:chronology", args=["00000000-0000-0000-0000-000000000000"]))
    hidden = client.get(reverse("chronology:chronology", args=[cast.people["Amelia Hart"].pk]))
    assert missing.status_code == hidden.status_code == 404
    without_tokens = [
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
        for response in (missing, hidden)
    ]
    assert without_tokens[0] == without_tokens[1]


def test_the_record_page_links_to_the_chronology(cast):
    amelia = cast.people["Amelia Hart"]
    response = client_for(cast, "police.officer").get(reverse("people:record", args=[amelia.pk]))
    assert f'href="{reverse("chronology:chronology", args=[amelia.pk])}"' in response.text


def test_the_page_shows_each_entry_and_says_how_many_are_hidden(cast, story):
    amelia = cast.people["Amelia Hart"]
    response = client_for(cast, "police.officer").get(reverse("chronology:chronology", args=[amelia.pk]))
    page = response.text
    assert response.context["chronology"].hidden == 2
    assert (
        '<div class="govuk-inset-text" data-testid="hidden-note">2 entries from other agencies are hidden '
        "because your organisation has no reason to see them.</div>"
    ) in page
    assert page.count('data-testid="entry"') == 2
    assert "Domestic abuse incident</strong> CLE-26-2001" in page
    assert "Missing child report" in page
    assert "Did not come home from school" in page
    assert "10 November 2026 at 9:30pm" in page  # UK time
    assert "after it happened" in page
    council_share = story.missing.shares.get(recipient=cast.organisations["police"])
    assert f'href="/shares/{council_share.pk}/"' in page
    # Nothing of what is hidden: not its summary, not its kind, not who recorded it.
    assert "Bruise" not in page and "health visitor" not in page
    assert "Referral" not in page and "Information share" not in page
    assert 'value="URN-900001"' not in page  # the school that referred is not even a filter choice
    # GOV.UK patterns: a table, selects, a GET form with a Filter button, the downloads.
    assert 'class="govuk-table' in page and 'class="govuk-select" id="agency" name="agency"' in page
    assert 'class="govuk-select" id="type" name="type"' in page
    assert '<form method="get"' in page and ">Filter</button>" in page
    assert ">Download CSV</a>" in page and ">Download PDF</a>" in page


def test_one_hidden_entry_is_named_in_the_singular(cast, story):
    noah = cast.people["Noah Hart"]
    event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=noah.pk, details={"school_urn": "900001"})],
            summary="Starting at Riverside",
            added_recipients=[cast.organisations["health"]],
        ),
    )
    url = reverse("chronology:chronology", args=[noah.pk])
    assert 'data-testid="hidden-note"' not in client_for(cast, "social.worker").get(url).text
    page = client_for(cast, "school.dsl").get(url).text
    assert "1 entry from another agency is hidden because your organisation has no reason to see it." in page
    assert "No entries your organisation may see." in page
    assert "Starting at Riverside" not in page


def test_the_page_shows_how_long_an_entry_took_to_be_recorded_and_shared(cast, story):
    """An incident imported from the force's own system: shared two days after it happened, recorded here now."""
    amelia = cast.people["Amelia Hart"]
    occurred = dt.datetime(2026, 11, 1, 22, 0, tzinfo=LONDON)
    event_record(
        actor=import_actor(cast.organisations["police"]),
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-0900",
            occurred_at=occurred,
            shared_at=occurred + dt.timedelta(days=2, hours=3),
            postcode="TS18 1AA",
            risk_level="standard",
            source=Source.IMPORT,
            people=[PersonInput(person_id=amelia.pk)],
        ),
    )
    page = client_for(cast, "social.worker").get(reverse("chronology:chronology", args=[amelia.pk])).text
    i = page.index("CLE-26-0900")
    print(repr(page[i - 1200 : i + 50]))
    assert (
        'Shared <time datetime="2026-11-04T01:00:00+00:00">4 November 2026 at 1:00am</time>, 2\xa0days, 3\xa0hours after it happened.'
        in page
    )
    assert "Shared as it was recorded." in page  # the incident recorded in OpenMASH went out at once


def test_a_school_page_shows_the_notice_not_the_full_incident(cast, story):
    amelia = cast.people["Amelia Hart"]
    page = client_for(cast, "school.dsl").get(reverse("chronology:chronology", args=[amelia.pk])).text
    assert "Operation Encompass notice" in page
    assert "I hid upstairs" in page
    assert "Risk level" not in page and "Marac" not in page
    assert "Priya Shah" not in page and "Ivy" not in page and "Sarah" not in page


def test_filters_keep_their_choices_and_reach_the_downloads(cast, story):
    amelia = cast.people["Amelia Hart"]
    response = client_for(cast, "social.worker").get(
        reverse("chronology:chronology", args=[amelia.pk]), {"agency": "E23000013", "type": "domestic-abuse"}
    )
    page = response.text
    assert page.count('data-testid="entry"') == 1
    assert '<option value="E23000013" selected>Cleveland Police</option>' in page
    assert '<option value="domestic-abuse" selected>Domestic abuse incident</option>' in page
    csv_url = reverse("chronology:csv", args=[amelia.pk])
    assert f'href="{csv_url}?agency=E23000013&amp;type=domestic-abuse"' in page
    empty = client_for(cast, "social.worker").get(
        reverse("chronology:chronology", args=[amelia.pk]), {"agency": "E23000013", "type": "referral"}
    )
    assert "No entries match the filters." in empty.text


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_number_of_entries(cast, page):
    amelia = cast.people["Amelia Hart"]
    client = client_for(cast, "social.worker")
    url = reverse(page, args=[amelia.pk])
    start = dt.datetime(2026, 10, 1, 20, 0, tzinfo=LONDON)
    record_incident(cast, "CLE-26-3000", start)
    client.get(url)  # warm the session and the font registration
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(1, 6):
        record_incident(cast, f"CLE-26-300{number}", start.replace(day=1 + number))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    if page == "chronology:chronology":
        assert response.text.count('data-testid="entry"') == 6
    assert len(many) == len(few), [query["sql"] for query in many]


def test_exports_are_audited_as_exports(cast, story):
    amelia = cast.people["Amelia Hart"]
    client = client_for(cast, "police.officer")
    client.get(reverse("chronology:csv", args=[amelia.pk]))
    client.get(reverse("chronology:pdf", args=[amelia.pk]), {"type": "missing"})
    csv_entry, pdf_entry = AuditEntry.objects.filter(person_id=amelia.pk).order_by("-sequence")[:2][::-1]
    assert (csv_entry.action, pdf_entry.action) == (AuditAction.EXPORT, AuditAction.EXPORT)
    assert csv_entry.reason.startswith("exported chronology as CSV: ")
    assert pdf_entry.reason.startswith("exported chronology as PDF: ")
    assert csv_entry.detail == {"format": "csv", "entries": 2, "hidden": 2}
    assert pdf_entry.detail == {"type": "missing", "format": "pdf", "entries": 1, "hidden": 2}
    # The person's record lists the exports among who has looked at it.
    record = client.get(reverse("people:record", args=[amelia.pk]))
    assert "Exported" in record.text
