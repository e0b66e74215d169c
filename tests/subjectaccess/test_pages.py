"""The data protection officer's pages: the request first, then the records the council holds, the export
and its download; nobody else gets them (404)."""

import io
import json
import zipfile

from django.test import Client

from openmash.audit.models import AuditAction, AuditEntry
from openmash.subjectaccess.models import SubjectAccessExport


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _search(child, **changes):
    values = {
        "reference": "SAR-2026-020",
        "received_on_0": "30",
        "received_on_1": "11",
        "received_on_2": "2026",
        "given_name": "noah",
        "family_name": "FENWICK",
        "date_of_birth_0": "1",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2023",
    }
    values.update(changes)
    return values


def test_the_officer_finds_the_record_exports_it_and_downloads_it(dpo, story):
    client = _client(dpo)
    home = client.get("/").content.decode()
    assert 'href="/subject-access/"' in home  # in the navigation
    found = client.post("/subject-access/", _search(story.child)).content.decode()
    assert "Records your council holds" in found and "Noah Fenwick" in found
    search = AuditEntry.objects.get(action=AuditAction.SEARCH, reason="subject access request SAR-2026-020")
    assert search.actor_label == "Dana Protect (stockton.dpo)"
    made = client.post(
        "/subject-access/export/",
        {"person": str(story.child.pk), "reference": "SAR-2026-020", "received_on": "2026-11-30"},
    )
    row = SubjectAccessExport.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/subject-access/{row.pk}/"
    page = client.get(made["Location"]).content.decode()
    assert "Everything held is exported" in page and "30 December 2026" in page  # one month to answer
    readable = client.get(f"/subject-access/{row.pk}/download.html").content.decode()
    assert '<mark data-review="third-party">Tara Fenwick</mark>' in readable
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/subject-access/{row.pk}/download.zip").content))
    data = json.loads(archive.read("subject-access-SAR-2026-020.json"))
    assert data["person_id"] == str(story.child.pk)
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT, person_id=story.child.pk)
    assert [entry.reason for entry in exports.order_by("sequence")] == [
        "subject access request SAR-2026-020",
        "subject access request SAR-2026-020 (downloaded)",
        "subject access request SAR-2026-020 (downloaded)",
    ]
    listing = client.get("/subject-access/").content.decode()
    assert "SAR-2026-020" in listing


def test_the_request_comes_first(dpo, story):
    page = (
        _client(dpo)
        .post(
            "/subject-access/",
            _search(story.child, reference="", received_on_0="", received_on_1="", received_on_2=""),
        )
        .content.decode()
    )
    assert "There is a problem" in page
    assert "Enter the request&#x27;s reference" in page
    assert "Enter the date the request was received" in page
    assert not AuditEntry.objects.filter(
        action=AuditAction.SEARCH, reason__startswith="subject access"
    ).exists()


def test_another_councils_officer_finds_nothing_and_cannot_export(bury_dpo, dpo, story):
    client = _client(bury_dpo)
    found = client.post("/subject-access/", _search(story.child)).content.decode()
    assert (
        "Your council holds no record" in found and "Noah" not in found.split("Records your council holds")[1]
    )
    made = client.post(
        "/subject-access/export/",
        {"person": str(story.child.pk), "reference": "SAR-9", "received_on": "2026-11-30"},
    )
    assert made.status_code == 404
    assert not SubjectAccessExport.objects.exists()
    # Stockton's own export is not Bury's to read or download.
    _client(dpo).post(
        "/subject-access/export/",
        {"person": str(story.child.pk), "reference": "SAR-1", "received_on": "2026-11-30"},
    )
    row = SubjectAccessExport.objects.get()
    assert client.get(f"/subject-access/{row.pk}/").status_code == 404
    assert client.get(f"/subject-access/{row.pk}/download.html").status_code == 404


def test_no_one_else_has_the_pages(cast, story, signed_in):
    for username in ("social.worker", "team.manager", "council.admin", "police.officer", "inspector"):
        client = signed_in(username)
        assert client.get("/subject-access/").status_code == 404
        made = client.post(
            "/subject-access/export/",
            {"person": str(story.child.pk), "reference": "SAR-1", "received_on": "2026-11-30"},
        )
        assert made.status_code == 404
        assert 'href="/subject-access/"' not in client.get("/").content.decode()
    assert not SubjectAccessExport.objects.exists()
