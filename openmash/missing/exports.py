"""The data inspectors ask for on missing children (domain.md section 5): a council's missing-children list as
CSV or XLSX, and the missing-episode files of the looked-after children return (SSDA903)."""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from django.utils import timezone

from openmash.lib.instants import LONDON
from openmash.missing.models import MissingEpisode, Placement, PlacementType, ProviderSector
from openmash.missing.selectors import ListedChild
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import ChildStatus, IdentifierScheme, Person, Sex

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


# SSDA903 PLACE_PROVIDER: who provides the placement. PR0 parents; PR1 the council's own provision; PR2 another
# council's; PR3 other public provision (the NHS); PR4 private; PR5 voluntary or third sector. None is given for
# the placements coded as having no provider (validator rule 178).
NO_PROVIDER_PLACES = frozenset({"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"})
PUBLIC_KINDS = frozenset(
    {OrganisationKind.HEALTH_TRUST, OrganisationKind.INTEGRATED_CARE_BOARD, OrganisationKind.NHS_REGION}
)
SECTOR_PROVIDERS: dict[str, str] = {ProviderSector.PRIVATE: "PR4", ProviderSector.VOLUNTARY: "PR5"}
# Placement types a registered children's home or secure home provides: the return gives its Ofsted URN.
URN_PLACES = frozenset({PlacementType.CHILDRENS_HOME, PlacementType.SECURE_CHILDRENS_HOME})


def place_provider(placement: Placement) -> str:
    """The placement's PLACE_PROVIDER from what the product records of it: which organisation provides it (the
    placing council itself, another council, the NHS) and, for another provider, its sector. Blank when not
    known (the council completes it in its case system) or when the placement type takes none."""
    if placement.placement_type in NO_PROVIDER_PLACES:
        return ""
    if placement.placement_type == PlacementType.WITH_PARENTS:
        return "PR0"
    provider = placement.provider
    if provider.pk == placement.council_id:
        return "PR1"
    if provider.kind == OrganisationKind.COUNCIL:
        return "PR2"
    if provider.kind in PUBLIC_KINDS:
        return "PR3"
    return SECTOR_PROVIDERS.get(placement.provider_sector, "")


def _urn(provider: Organisation) -> str:
    """The provider's Ofsted unique reference number, where its code is one (a registered children's home)."""
    return provider.code.removeprefix("URN-") if provider.code.startswith("URN-") else ""


def episode_rows(child: str, placements: list[Placement], status: ChildStatus) -> list[list[str]]:
    """The SSDA903 episodes of one period of care (a looked-after status with the council): one a placement, from
    the placement rows' own data (PLACE, LS, PLACE_PROVIDER, start and end). The first of the period started
    it (RNE S), each later one is a change of placement (RNE P). An episode that ends while the child stays
    looked after is followed by the next the same day (REC X1); one that ends the period of care, for a reason
    the product does not record, is coded E8 (ended for any other reason). Category of need (CIN), the reason
    for a change of placement and the postcodes are not recorded here: left blank for the council's case
    system, never guessed. A period of care with no placement recorded is one episode with its dates only."""
    rows: list[list[str]] = []
    if not placements:
        ended = status.end_date
        return [
            [
                child,
                _date(status.start_date),
                "S",
                "",
                "",
                "",
                "",
                _date(ended),
                "E8" if ended else "",
                "",
                "",
                "",
                "",
            ]
        ]
    for index, placement in enumerate(placements):
        ended = placement.ended_on
        if ended is None and status.end_date is not None:
            ended = status.end_date
        period_ends = ended is not None and status.end_date is not None and ended >= status.end_date
        first = index == 0 and placement.started_on <= status.start_date
        rows.append(
            [
                child,
                _date(max(placement.started_on, status.start_date)),
                "S" if first else "P",
                placement.legal_status,
                "",
                placement.placement_type,
                place_provider(placement),
                _date(ended),
                ("E8" if period_ends else "X1") if ended is not None else "",
                "",
                "",
                "",
                _urn(placement.provider) if placement.placement_type in URN_PLACES else "",
            ]
        )
    return rows


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
    placements_of: dict = {}
    for placement in (
        Placement.objects.filter(child_id__in=list(children), council=council)
        .select_related("provider")
        .order_by("child_id", "started_on", "pk")
    ):
        placements_of.setdefault(placement.child_id, []).append(placement)
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
        # Each period of care the child had with this council (its looked-after statuses), as the episodes of
        # the placements recorded within it.
        for status in person.statuses.all():
            if status.council_id != council.pk or status.status != "looked-after":
                continue
            within = [
                placement
                for placement in placements_of.get(person.pk, [])
                if (status.end_date is None or placement.started_on <= status.end_date)
                and (placement.ended_on is None or placement.ended_on >= status.start_date)
            ]
            placements += episode_rows(child, within, status)
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
