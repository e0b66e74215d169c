"""Generated people with known truth, for training the shipped model, the suite's floors and bench/matching.py.

Families share a family name and a home; some children are twins (same date of birth, same everything but the
given name); each child is recorded by several agencies, each typing it with the errors agencies make. Every
rate is a named figure below so a reader can judge how hard the set is. Deterministic for a seed.
"""

import datetime as dt
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, replace

from faker import Faker
from nicknames import NickNamer

# How often each error is made when an agency types a child's details (per record).
NICKNAME = 0.10  # "Bill" for William: schools and police often hold the name a child is called
GIVEN_TYPO = 0.04
NAMES_SWAPPED = 0.02  # given name typed as family name and the other way round
FAMILY_TYPO = 0.04
DOUBLE_NAME_PART = 0.05  # "Smith" for "Smith-Jones", or the other way
CHANGED_FAMILY_NAME = (
    0.01  # a new family name (a step-parent's): hard, expected to go to review or a new record
)
DOB_SWAPPED = 0.03
DOB_TYPO = 0.03
DOB_MISSING = 0.02
SEX_MISSING = 0.10
MOVED = 0.12  # a new address since the first record
POSTCODE_MISSING = 0.10
TWINS = 0.03  # of families with two or more children
DOUBLE_FAMILY_NAME = 0.08  # families with a hyphenated family name


@dataclass(frozen=True)
class Typed:
    """One agency's record of a child."""

    child: int  # the true child: records with the same number are one person
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    sex: str | None
    postcodes: tuple[str, ...]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.choice(("substitute", "delete", "transpose", "insert"))
    if kind == "substitute":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "transpose" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i:]


def _dob_typo(rng: random.Random, day: dt.date) -> dt.date:
    for _ in range(10):
        text = list(day.isoformat())
        i = rng.choice(
            [3, 6, 8, 9]
        )  # the year's last digit, the month's or the day's (a future date is refused)
        text[i] = rng.choice(string.digits)
        try:
            return dt.date.fromisoformat("".join(text))
        except ValueError:
            continue
    return day


class Generator:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (generated test data, reproducible by seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.nicknames = NickNamer()
        self._next_child = 0

    def _postcode(self, near: str | None = None) -> str:
        code = self.fake.postcode()
        if near and self.rng.random() < 0.5:  # moved within the district
            return f"{near.split()[0]} {code.split()[1]}"
        return code

    def families(self, count: int) -> Iterator[list[Typed]]:
        """The true children of ``count`` families, each as its clean record."""
        for _ in range(count):
            family_name = self.fake.last_name()
            if self.rng.random() < DOUBLE_FAMILY_NAME:
                family_name = f"{family_name}-{self.fake.last_name()}"
            postcode = self._postcode()
            size = self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
            children = []
            born = None
            for index in range(size):
                sex = self.rng.choice(("M", "F"))
                given = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
                twin = index > 0 and born is not None and self.rng.random() < TWINS * 2
                if not twin:
                    born = dt.date(2008, 1, 1) + dt.timedelta(days=self.rng.randrange(18 * 365))
                children.append(Typed(self._next_child, given, family_name, born, sex, (postcode,)))
                self._next_child += 1
            yield children

    def typed(self, child: Typed) -> Typed:
        """How one more agency records ``child``: the errors agencies make, at the rates above."""
        rng = self.rng
        given, family = child.given_name, child.family_name
        if rng.random() < NICKNAME:
            nicks = sorted(self.nicknames.nicknames_of(given.lower()))
            if nicks:
                given = rng.choice(nicks).capitalize()
        if rng.random() < GIVEN_TYPO:
            given = _typo(rng, given)
        if rng.random() < CHANGED_FAMILY_NAME:
            family = self.fake.last_name()
        elif rng.random() < DOUBLE_NAME_PART:
            parts = family.split("-")
            family = rng.choice(parts) if len(parts) > 1 else f"{family}-{self.fake.last_name()}"
        if rng.random() < FAMILY_TYPO:
            family = _typo(rng, family)
        if rng.random() < NAMES_SWAPPED:
            given, family = family, given
        born = child.date_of_birth
        if born is not None:
            roll = rng.random()
            if roll < DOB_SWAPPED and born.day <= 12 and born.day != born.month:
                born = dt.date(born.year, born.day, born.month)
            elif roll < DOB_SWAPPED + DOB_TYPO:
                born = _dob_typo(rng, born)
            elif roll < DOB_SWAPPED + DOB_TYPO + DOB_MISSING:
                born = None
        sex = None if rng.random() < SEX_MISSING else child.sex
        postcodes = child.postcodes
        if rng.random() < MOVED:
            postcodes = (self._postcode(near=postcodes[0]),)
        if rng.random() < POSTCODE_MISSING:
            postcodes = ()
        return replace(
            child, given_name=given, family_name=family, date_of_birth=born, sex=sex, postcodes=postcodes
        )


@dataclass(frozen=True)
class IntakeSet:
    """The people already recorded, and the records arriving at intake with the truth for each."""

    recorded: list[Typed]
    arriving: list[Typed]
    recorded_children: frozenset[int]


def intake_set(families: int, seed: int = 1, recorded_share: float = 0.7) -> IntakeSet:
    """Most children are already recorded (their first agency's record); the rest are not, so siblings and twins
    of recorded children arrive and must not be linked to them. Each recorded child arrives again once or
    twice from other agencies, typed with errors; each child not yet recorded arrives once."""
    generator = Generator(seed)
    recorded: list[Typed] = []
    arriving: list[Typed] = []
    for children in generator.families(families):
        for child in children:
            if generator.rng.random() < recorded_share:
                recorded.append(generator.typed(child))
                arriving.extend(generator.typed(child) for _ in range(generator.rng.choice((1, 1, 2))))
            else:
                arriving.append(generator.typed(child))
    generator.rng.shuffle(arriving)
    return IntakeSet(recorded, arriving, frozenset(person.child for person in recorded))
