"""Comparing people's names as different agencies type them. Framework-free."""

import re
import unicodedata

# Spaces, hyphens and dashes of every kind, apostrophes (straight and curly) and full stops.
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2013'\u2019.]+")


def name_key(given_name: str, family_name: str) -> str:
    """A name reduced to what two agencies typing it would agree on: case, accents, hyphens, apostrophes and
    spacing ignored ("Zoë O'Neil-Hart" and "zoe oneil hart" agree; "Amelia Hart" and "Amelia Harte" do not)."""
    text = f"{given_name} {family_name}"
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return "".join(_SEPARATORS.split(text.casefold()))


# What splits a search into words: spaces and hyphens, not apostrophes ("O'Neil" is one word).
_WORDS = re.compile(r"[\s\-\u2010\u2011\u2013]+")


def search_key(given_name: str, family_name: str) -> str:
    """A name as person search indexes it: each part reduced as ``name_key`` reduces it, given then family, one
    space between ("Zoë O'Neil-Hart" is "zoe oneilhart"). The space keeps a search word from matching across
    the two parts."""
    return f"{name_key(given_name, '')} {name_key(family_name, '')}"


def search_words(text: str) -> list[str]:
    """The words of a name typed into a search, each reduced as ``search_key`` reduces a name's parts. Every
    word must be found in one of a person's names, in any order ("Hart Zoe", "zoe o'neil-hart")."""
    return [word for part in _WORDS.split(text) if (word := name_key(part, ""))]


def search_exact_keys(words: list[str]) -> set[str]:
    """The search keys a name that is exactly these words would have, given then family or swapped (any split
    of the words into given names and family name)."""
    keys = set()
    for split in range(1, len(words)):
        first, second = "".join(words[:split]), "".join(words[split:])
        keys |= {f"{first} {second}", f"{second} {first}"}
    return keys


def trigrams(text: str) -> set[str]:
    """The trigrams of each word, padded as PostgreSQL's pg_trgm pads them (two spaces before, one after)."""
    found: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        found |= {padded[index : index + 3] for index in range(len(padded) - 2)}
    return found


def similarity(first: str, second: str) -> float:
    """Shared trigrams over all trigrams, as pg_trgm's ``similarity`` counts them: 1 the same, 0 nothing shared."""
    one, other = trigrams(first), trigrams(second)
    return len(one & other) / len(one | other) if one or other else 0.0
