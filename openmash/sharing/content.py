"""What a share lets its recipient read: the same whether it reaches an inbox, a webhook or a chronology.

Its own module so the channels (sharing/channels.py) and the reads (sharing/selectors.py) both use it without
either importing the other."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openmash.events.models import EventSubject
from openmash.sharing.models import Content, Share


@dataclass(frozen=True)
class NotificationTiming:
    """The sender's clock of a share (clocks.deadlines): whether the recipient was told in time. Late is the
    sender's lateness; it never makes the recipient overdue."""

    rule: str
    due: dt.datetime | None
    sent_at: dt.datetime
    late: bool | None
    late_by: dt.timedelta | None

    @property
    def late_by_hours(self) -> float | None:
        return None if self.late_by is None else round(self.late_by.total_seconds() / 3600, 1)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule or None,
            "due": self.due.astimezone(dt.UTC).isoformat() if self.due else None,
            "sent_at": self.sent_at.astimezone(dt.UTC).isoformat(),
            "late": self.late,
            "late_by_hours": self.late_by_hours,
        }


def notification_timing(share: Share) -> NotificationTiming:
    due = share.notification_due_at
    if due is None:
        return NotificationTiming(share.notification_rule, None, share.shared_at, None, None)
    late_by = max(share.shared_at - due, dt.timedelta(0))
    return NotificationTiming(share.notification_rule, due, share.shared_at, share.shared_at > due, late_by)


def _person_summary(
    subject: EventSubject | None, person: Any, encompass: bool, children: tuple[str, ...] = ()
) -> dict[str, Any]:
    details = dict(subject.details) if subject is not None else {}
    summary: dict[str, Any] = {
        "id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "role": subject.role if subject is not None else "child",
        "present": details.get("present"),
        "saw_heard": details.get("saw_heard", ""),
        "child_words": details.get("child_words", ""),
    }
    if not encompass:
        summary["school_urn"] = details.get("school_urn", "")
        summary["home_educated"] = bool(details.get("home_educated"))
    if summary["role"] == "adult":
        # Their part in what happened and what they are to the children (recording.checks.HARM_ROLES).
        summary["harm_role"] = details.get("harm_role", "")
        summary["relationship"] = details.get("relationship", "")
        # What they are to each child this share names (``children``). An event recorded before relationships
        # were given child by child has only the one, for every child.
        each = details.get("relationships")
        if each is None:
            each = dict.fromkeys(children, summary["relationship"]) if summary["relationship"] else {}
        summary["relationships"] = [
            {"child": child, "relationship": each[child]} for child in children if each.get(child)
        ]
    return summary


def share_content(share: Share) -> dict[str, Any]:
    """What the recipient may read. An Operation Encompass notice carries only what a school needs: the
    child, the police reference, when and where, whether present, what they saw or heard, their words and the
    circumstances; no adults, no risk grading, no other children."""
    event = share.event
    encompass = share.content == Content.ENCOMPASS
    subjects = {subject.person_id: subject for subject in event.subjects.all()}
    people = list(share.people.all())
    content: dict[str, Any] = {
        "share_id": str(share.pk),
        "kind": event.kind,
        "reference": event.reference,
        "recorded_by": event.recorded_by.name,
        "occurred_at": event.occurred_at.isoformat(),
        "location": event.location,
        "summary": event.summary,
        "due_at": share.due_at.isoformat() if share.due_at else None,
        # The recipient's deadline, from arrival, and the sender's clock (clocks.deadlines).
        "decision_due": share.due_at.astimezone(dt.UTC).isoformat() if share.due_at else None,
        "notification": notification_timing(share).as_json(),
        "children": [
            _person_summary(subjects.get(person.pk), person, encompass)
            for person in people
            if subjects.get(person.pk) is None or subjects[person.pk].role == "child"
        ],
    }
    if encompass:
        return content
    children = tuple(child["id"] for child in content["children"])
    content.update(
        {
            "reported_at": event.reported_at.isoformat() if event.reported_at else None,
            "postcode": event.postcode,
            "risk_level": event.risk_level,
            "details": event.details,
            "route": share.route,
            "adults": [
                _person_summary(subjects.get(person.pk), person, False, children)
                for person in people
                if subjects.get(person.pk) is not None and subjects[person.pk].role == "adult"
            ],
        }
    )
    return content
