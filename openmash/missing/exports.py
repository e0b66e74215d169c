"""The data inspectors ask for on missing children (domain.md section 5): a council's missing-children list as
CSV or XLSX, and the missing-episode files of the looked-after children return (SSDA903)."""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from django.utils import timezone

from openmash.lib.instants import LONDON
from openmash.missing.models import MissingEpisode
from openmash.missing.selectors import ListedChild
from openmash.organisations.models import Organisation
from openmash.people.models import IdentifierScheme, Person, Sex

LIST_HEADER = [
    "Child",
    "Date of birth",
    "Missing episodes in the last 12 months",
    "Away episodes in the last 12 months",
    "Last episode: last seen",
    "Last episode: found",
    "Return interview offered",
    "Return interview accepted",
    "Offered within 72 hours",
    "Council told within 1 hour",
]


def _safe(value: str) -> str:
    """Text a spreadsheet would run as a formula is kept as text (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value, LONDON).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def list_rows(lines: Iterable[ListedChild]) -> list[list[str]]:
    rows = []
    for line in lines:
        last = line.last_episode
        rows.append(
            [
                _safe(f"{line.child.given_name} {line.child.family_name}".strip()),
                line.child.date_of_birth.isoformat() if line.child.date_of_birth else "",
                str(line.missing_12_months),
                str(line.away_12_months),
                _when(last.last_seen_at) if last else "",
                _when(last.found_at) if last else "",
                _yes_no(line.offered),
                _yes_no(line.accepted),
                _yes_no(line.offered_in_time),
                _yes_no(line.council_told_in_time),
            ]
        )
    return rows


def list_csv(lines: Iterable[ListedChild]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LIST_HEADER)
    writer.writerows(list_rows(lines))
    return out.getvalue().encode("utf-8-sig")


def list_xlsx(lines: Iterable[ListedChild]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Missing children")
    sheet.append(LIST_HEADER)
    for row in list_rows(lines):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# SSDA903 (the looked-after children return): one CHILD id per child, the council's own; dates DD/MM/YYYY.
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
MISSING_COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
# SSDA903 SEX: 1 male, 2 female.
SEX_CODES = {Sex.MALE: "1", Sex.FEMALE: "2"}


def collection_year(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The return's year: 1 April of ``year`` to 31 March of the next, as instants in London."""
    return (
        dt.datetime(year, 4, 1, tzinfo=LONDON),
        dt.datetime(year + 1, 4, 1, tzinfo=LONDON),
    )


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, LONDON).date()
    return value.strftime("%d/%m/%Y")


def _child_id(person: Person) -> str:
    """The council's child identifier where it has one, else a stable one from the record (at most 10
    characters, as the return's CHILD field)."""
    for item in person.identifiers.all():
        if item.scheme == IdentifierScheme.COUNCIL_CHILD_ID:
            return item.value[:10]
    return person.pk.hex[-10:].upper()


def _upn(person: Person) -> str:
    for item in person.identifiers.all():
        if item.scheme == IdentifierScheme.UPN:
            return item.value
    return "UN1"  # SSDA903: UN1 = child not of school age / no UPN


def ssda903_missing(*, council: Organisation, year: int, out: Path) -> dict[str, int]:
    """Write header.csv, episodes.csv and missing.csv for the looked-after children of ``council`` with
    missing or away episodes in collection year ``year`` (from 1 April). Returns the rows written per file."""
    start, end = collection_year(year)
    episodes = list(
        MissingEpisode.objects.filter(
            council=council, looked_after=True, last_seen_at__gte=start, last_seen_at__lt=end
        )
        .select_related("child")
        .prefetch_related("child__identifiers", "child__statuses")
        .order_by("child_id", "last_seen_at")
    )
    children: dict = {}
    for episode in episodes:
        children.setdefault(episode.child_id, episode.child)
    out.mkdir(parents=True, exist_ok=True)
    headers, placements, missing = [], [], []
    for person in children.values():
        child = _child_id(person)
        headers.append(
            [
                child,
                SEX_CODES.get(person.sex, "1"),
                _date(person.date_of_birth),
                person.ethnicity or "NOBT",
                _upn(person),
                "",
                "",
            ]
        )
        # The episode of care the child was in: the looked-after status with this council (start, open or
        # ended). Legal status and placement codes are not kept here; the placement app's figures are what a
        # council holds in its case system. V2/U1 (accommodated, placed in a children's home) as defaults.
        for status in person.statuses.all():
            if status.council_id != council.pk or status.status != "looked-after":
                continue
            placements.append(
                [
                    child,
                    _date(status.start_date),
                    "S",
                    "V2",
                    "N1",
                    "K2",
                    "PR1",
                    _date(status.end_date),
                    "E11" if status.end_date else "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
    for episode in episodes:
        missing.append(
            [
                _child_id(episode.child),
                _date(episode.child.date_of_birth),
                episode.category,
                _date(episode.last_seen_at),
                _date(episode.found_at) if episode.found_at and episode.found_at < end else "",
            ]
        )
    for name, columns, rows in (
        ("header.csv", HEADER_COLUMNS, headers),
        ("episodes.csv", EPISODE_COLUMNS, placements),
        ("missing.csv", MISSING_COLUMNS, missing),
    ):
        with (out / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
    return {"header.csv": len(headers), "episodes.csv": len(placements), "missing.csv": len(missing)}
