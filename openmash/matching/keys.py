"""Candidate keys: how intake finds, among a million people, the few dozen worth scoring.

A record is stored under a handful of keys; an arriving record looks up its own. The keys mirror the model's
blocking rules (model.BLOCKING_RULES_SQL), so intake considers the pairs the batch dedupe scores: same date of
birth (or its day/month swap), same-sounding family name and year of birth (either name, for swapped names),
same-sounding given and family names, or a postcode and year of birth in common.
"""

from openmash.matching.features import MatchRecord, name_and_canonicals, phonetic


def _family_codes(record: MatchRecord) -> set[str]:
    codes = {phonetic(part) for part in record.family_parts} | {record.family_phonetic or ""}
    return codes - {""}


def stored_keys(record: MatchRecord) -> set[str]:
    keys = set()
    if record.dob:
        keys.add(f"d:{record.dob}")
    if record.birth_year:
        # The whole family name and each part of a double one ("Price-Elliott" is found as "Price").
        keys.update(f"f:{code}:{record.birth_year}" for code in _family_codes(record))
    if record.given_phonetic and record.family_phonetic:
        keys.add(f"n:{record.given_phonetic}:{record.family_phonetic}")
    # The given name and what it is a nickname of; an arriving record looks up its whole nickname group, so
    # "Bill Smith" finds "William Smith" (and "Will Smith") born any year.
    if record.given_name:
        codes = _family_codes(record)
        keys.update(f"g:{name}:{code}" for name in name_and_canonicals(record.given_name) for code in codes)
    if record.birth_year:
        keys.update(f"p:{postcode}:{record.birth_year}" for postcode in record.postcodes)
    return keys


def probe_keys(record: MatchRecord) -> set[str]:
    keys = stored_keys(record)
    if record.dob_swapped:
        keys.add(f"d:{record.dob_swapped}")
    if record.given_phonetic and record.birth_year:
        keys.add(f"f:{record.given_phonetic}:{record.birth_year}")  # names typed the other way round
    if record.given_phonetic and record.family_phonetic:
        keys.add(f"n:{record.family_phonetic}:{record.given_phonetic}")
    codes = _family_codes(record)
    keys.update(f"g:{name}:{code}" for name in record.given_group for code in codes)
    return keys
