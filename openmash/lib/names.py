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
