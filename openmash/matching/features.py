"""What a person's record is compared on: names, date of birth, sex and postcodes, each reduced to the forms two
agencies typing the same child would agree on. Framework-free: the intake scorer, the Splink training and the
batch dedupe all build their rows here, so the three compare exactly the same things.

Why these forms (../shared/domain.md, data standards; issue 14):
- names are folded (case, accents, apostrophes) and kept whole and in parts, because a hyphenated or double
  family name is typed in full by one agency and in part by another ("Smith-Jones", "Jones");
- given names carry their nickname group ("Bill" and "William", "Alfie" and "Alfred"), because schools and
  police often hold the name a child is called rather than the registered one;
- both names carry a phonetic code, because transliterated names are spelt several ways ("Mohammed",
  "Muhammad"; "Siobhan", "Shivon");
- a date of birth keeps its day/month swap, the commonest error in a typed date of birth;
- postcodes are kept as every postcode the record has held, and their outward codes (a family that moved
  within a district keeps its district).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

_LETTERS_ONLY = re.compile(r"[^a-z ]+")
_PARTS = re.compile(r"[\s\-\u2010\u2011\u2013]+")


@lru_cache(maxsize=50_000)  # the same names come again and again (a file's rows, a batch's people)
def fold(text: str) -> str:
    """Lower case, no accents, apostrophes and full stops dropped, hyphens and spaces as single spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = text.replace("'", "").replace("\u2019", "").replace(".", "")
    return " ".join(_LETTERS_ONLY.sub(" ", " ".join(_PARTS.split(text))).split())


@lru_cache(maxsize=1)
def _nick_namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=20_000)
def name_group(given: str) -> tuple[str, ...]:
    """The given name with the names it is a nickname of or has as nicknames: "bill" -> bill, william, will..."""
    if not given:
        return ()
    first = given.split(" ")[0]
    namer = _nick_namer()
    group = {first} | namer.canonicals_of(first) | namer.nicknames_of(first)
    return tuple(sorted(group))


@lru_cache(maxsize=20_000)
def name_and_canonicals(given: str) -> tuple[str, ...]:
    """The given name and the names it is a nickname of ("bill" -> bill, william): fewer than its whole group,
    for candidate keys (a record is stored under these and looked up by its whole group)."""
    if not given:
        return ()
    first = given.split(" ")[0]
    return tuple(sorted({first} | _nick_namer().canonicals_of(first)))


@lru_cache(maxsize=50_000)
def phonetic(name: str) -> str:
    return jellyfish.metaphone(name.replace(" ", "")) if name else ""


def _postcode(value: str) -> str:
    return "".join((value or "").upper().split())


def _outward(postcode: str) -> str:
    # The outward code is what comes before the last three characters (the inward code).
    return postcode[:-3] if len(postcode) > 3 else postcode


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One person as the matcher sees them. ``None`` and empty mean "not known", never "different"."""

    given_name: str | None
    family_name: str | None
    given_group: tuple[str, ...]
    family_parts: tuple[str, ...]
    given_phonetic: str | None
    family_phonetic: str | None
    dob: str | None  # ISO date
    dob_swapped: str | None  # the same date with day and month swapped, when that is a date
    birth_year: str | None
    sex: str | None
    postcodes: tuple[str, ...]
    outcodes: tuple[str, ...]

    def as_row(self, unique_id: str) -> dict[str, object]:
        """The row Splink reads."""
        return {"unique_id": unique_id} | to_json(self)


def _swapped(day: dt.date) -> str | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return dt.date(day.year, day.day, day.month).isoformat()
    except ValueError:
        return None


def match_record(
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    sex: str | None = None,
    postcodes: Iterable[str] = (),
) -> MatchRecord:
    given = fold(given_name) or None
    family = fold(family_name) or None
    codes = tuple(sorted({code for code in (_postcode(value) for value in postcodes) if code}))
    return MatchRecord(
        given_name=given,
        family_name=family,
        given_group=name_group(given) if given else (),
        family_parts=tuple(sorted(set(family.split(" ")))) if family else (),
        given_phonetic=phonetic(given) or None if given else None,
        family_phonetic=phonetic(family) or None if family else None,
        dob=date_of_birth.isoformat() if date_of_birth else None,
        dob_swapped=_swapped(date_of_birth) if date_of_birth else None,
        birth_year=str(date_of_birth.year) if date_of_birth else None,
        # Unknown sex ("U", "9", blank) is not evidence either way.
        sex=sex if sex in ("M", "F") else None,
        postcodes=codes,
        outcodes=tuple(sorted({_outward(code) for code in codes})),
    )


def to_json(record: MatchRecord) -> dict[str, object]:
    """The record as plain values (lists for the tuples): stored in the match index and read by Splink."""
    data: dict[str, object] = {}
    for name in MatchRecord.__slots__:
        value = getattr(record, name)
        data[name] = list(value) if isinstance(value, tuple) else value
    return data


def from_json(data: dict[str, object]) -> MatchRecord:
    values = {name: (tuple(value) if isinstance(value, list) else value) for name, value in data.items()}
    return MatchRecord(**values)  # type: ignore[arg-type]
