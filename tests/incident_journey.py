"""Walk the web's domestic-abuse incident journey (question pages, "add another" children and adults, check your
answers) with a test client, from the answers as one flat dict of the form's field names."""

import re

from django.test import Client
from django.urls import reverse

STEP_FIELDS = {
    "when": {"police_reference", "occurred_date", "occurred_time", "reported_date", "reported_time"},
    "where": {"location", "postcode"},
    "risk": {"risk_level", "marac"},
    "what": {"summary"},
}


def _field(key: str) -> str:
    """occurred_date_1 -> occurred_date (a date's day, month and year boxes)."""
    name, _, last = key.rpartition("_")
    return name if last.isdigit() and name else key


def walk(client: Client, answers: dict[str, str], *, confirm: bool = True):
    """Answer every page in turn and confirm (unless not ``confirm``). Returns the first page that refused its
    answers (200), or the confirmation's redirect (302). A ``late_reason`` answer is given on check your
    answers."""
    for step, fields in STEP_FIELDS.items():
        data = {key: value for key, value in answers.items() if _field(key) in fields}
        response = client.post(reverse("events:incident-step", args=[step]), data)
        if response.status_code != 302:
            return response
    for group, word in (("children", "child"), ("adults", "adult")):
        numbers = sorted(
            {int(match.group(1)) for key in answers if (match := re.match(rf"{word}(\d+)-", key))}
        )
        added = 0
        for number in numbers:
            given = {key: value for key, value in answers.items() if key.startswith(f"{word}{number}-")}
            if not any(str(value).strip() for value in given.values()):
                continue  # a blank person is not added
            added += 1
            data = {f"{word}{added}-{key.split('-', 1)[1]}": value for key, value in given.items()}
            response = client.post(reverse("events:incident-person", args=[group, added]), data)
            if response.status_code != 302:
                return response
        response = client.post(reverse("events:incident-people", args=[group]), {"add_another": "no"})
        if response.status_code != 302:
            return response
    if not confirm:
        return None
    late = {"late_reason": answers["late_reason"]} if "late_reason" in answers else {}
    return client.post(reverse("events:incident-check"), late)
