"""Candidate keys: how intake finds, among a million people, the few worth scoring.

A record is stored under a handful of keys; an arriving record looks up its own. The keys follow the batch
dedupe's blocking (model.DEDUPE_BLOCKING_RULES_SQL) more than training's (model.BLOCKING_RULES_SQL): a date
of birth, or a same-sounding family name and year of birth, each only with a first letter in common (of the
family name, or of the given name or a name it is a nickname of); same-sounding given and family names (either
way round); a given name's nickname group with the family name's sound; or a postcode and year of birth.

Why the first letters: a date of birth alone is shared by about 15 people in 100,000 and 150 in a million, a
common family name and year of birth by hundreds, and nearly none of them is the person (at 100,000 people, 13
of an arriving person's 15 candidates shared only the date of birth, and 1 in 1,000 of those scored above 1%).
What the letters leave out, a date of birth typed wrong and both names' first letters different, other keys
mostly find (the names' sounds, the nickname group, the postcode); the synthetic benchmark's recall is in
docs/performance.md. Names typed the other way round are looked up crossed (the given name's letter as the
family name's).
"""

from functools import lru_cache

from openmash.matching.features import MatchRecord, name_and_canonicals, phonetic


def _family_codes(record: MatchRecord) -> set[str]:
    codes = {phonetic(part) for part in record.family_parts} | {record.family_phonetic or ""}
    return codes - {""}


def _family_initials(record: MatchRecord) -> set[str]:
    # Each part of a double family name ("Price-Elliott" is found as "Elliott" too).
    return {part[0] for part in record.family_parts if part}


def _given_initials(record: MatchRecord, names: tuple[str, ...]) -> set[str]:
    return {name[0] for name in names if name} if record.given_name else set()


def _narrowed(stem: str, family: set[str], given: set[str]) -> set[str]:
    """A broad key (a date of birth; a family name's sound and year of birth) with a first letter; the stem
    alone only for a record with no name to take a letter from."""
    if not family and not given:
        return {stem}
    return {f"{stem}:f{letter}" for letter in family} | {f"{stem}:g{letter}" for letter in given}


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _looked_up(stem: str, family: set[str], given: set[str]) -> set[str]:
    """The keys an arriving record looks up for a broad stem: its letters, and the stem alone (stored only for
    records with no name to take a letter from, so few); with no given name (or no name at all), every letter
    of what it lacks, since the record on record may have one."""
    keys = _narrowed(stem, family, given) | {stem}
    if not given:
        keys |= {f"{stem}:g{letter}" for letter in _LETTERS}
        if not family:
            keys |= {f"{stem}:f{letter}" for letter in _LETTERS}
    return keys


def stored_keys(record: MatchRecord) -> frozenset[str]:
    """The keys a record is stored under. Remembered for the last few thousand records: intake's matcher
    and the person planner ask for a new person's keys, from the one record (docs/decisions/0014)."""
    return _stored_keys(record)


@lru_cache(maxsize=4_096)
def _stored_keys(record: MatchRecord) -> frozenset[str]:
    keys: set[str] = set()
    family = _family_initials(record)
    # A given name is stored under its own letter and those of the names it is a nickname of ("Bill" under
    # b and w); an arriving record looks up the letters of its whole nickname group.
    given = _given_initials(record, name_and_canonicals(record.given_name or ""))
    if record.dob:
        keys |= _narrowed(f"d:{record.dob}", family, given)
    if record.birth_year:
        # The whole family name and each part of a double one ("Price-Elliott" is found as "Price").
        for code in _family_codes(record):
            keys |= _narrowed(f"f:{code}:{record.birth_year}", set(), given)
    if record.given_phonetic and record.family_phonetic:
        keys.add(f"n:{record.given_phonetic}:{record.family_phonetic}")
    # The given name and what it is a nickname of; an arriving record looks up its whole nickname group, so
    # "Bill Smith" finds "William Smith" (and "Will Smith") born any year.
    if record.given_name:
        codes = _family_codes(record)
        keys.update(f"g:{name}:{code}" for name in name_and_canonicals(record.given_name) for code in codes)
    if record.birth_year:
        keys.update(f"p:{postcode}:{record.birth_year}" for postcode in record.postcodes)
    return frozenset(keys)


def probe_keys(record: MatchRecord) -> set[str]:
    family = _family_initials(record)
    group = _given_initials(record, record.given_group)
    keys = set()
    dobs = [dob for dob in (record.dob, record.dob_swapped) if dob]
    for dob in dobs:
        keys |= _looked_up(f"d:{dob}", family, group)
        # Names typed the other way round: the given name's letter is the family name's on record.
        keys |= {f"d:{dob}:f{letter}" for letter in group} | {f"d:{dob}:g{letter}" for letter in family}
    codes = _family_codes(record)
    if record.birth_year:
        for code in codes:
            keys |= _looked_up(f"f:{code}:{record.birth_year}", set(), group)
        if record.given_phonetic:  # names typed the other way round
            keys |= _looked_up(f"f:{record.given_phonetic}:{record.birth_year}", set(), family)
    if record.given_phonetic and record.family_phonetic:
        keys.add(f"n:{record.given_phonetic}:{record.family_phonetic}")
        keys.add(f"n:{record.family_phonetic}:{record.given_phonetic}")
    if record.given_name:
        keys.update(f"g:{name}:{code}" for name in record.given_group for code in codes)
        keys.update(f"g:{name}:{code}" for name in name_and_canonicals(record.given_name) for code in codes)
    if record.birth_year:
        keys.update(f"p:{postcode}:{record.birth_year}" for postcode in record.postcodes)
    return keys
