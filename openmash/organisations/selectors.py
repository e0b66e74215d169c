"""Reads of organisations. Organisations are not case content: anyone signed in may look them up."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from openmash.lib.remembered import Remembered
from openmash.organisations.models import Organisation, OrganisationKind


class UnknownOrganisation(LookupError):
    """No organisation has that code or exact name."""


def organisation_resolve(text: str) -> Organisation:
    """The organisation whose code or exact name (case-insensitive) is ``text``.

    Every command option that takes an organisation goes through here, so ``E06000004`` and
    ``Stockton-on-Tees`` name the same council.
    """
    value = (text or "").strip()
    if not value:
        raise UnknownOrganisation("No organisation given")
    matches = list(Organisation.objects.filter(Q(code__iexact=value) | Q(name__iexact=value))[:2])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownOrganisation(f"No organisation has the code or name {value!r}")
    raise UnknownOrganisation(f"More than one organisation is called {value!r}: use its code")


def organisation_list(*, kind: str | None = None) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("name")


def police_forces_covering(council: Organisation) -> QuerySet[Organisation]:
    return council.police_forces.all()


# Schools by URN, for a minute per process: most incidents name a child's school, and a school's record changes
# only when it joins the service or its details are corrected. Only schools found are remembered, so a school
# that joins is found at once.
_schools: Remembered[str, Organisation] = Remembered(seconds=60.0)


def forget_schools() -> None:
    _schools.clear()


def schools_by_urn(urns: Iterable[str]) -> dict[str, Organisation]:
    """The schools on the service with these URNs (a URN with no school is left out)."""
    found, missing = _schools.get_many(urns)
    if missing:
        codes = [f"URN-{urn}" for urn in missing]
        for school in Organisation.objects.filter(code__in=codes, kind=OrganisationKind.SCHOOL):
            urn = school.code.removeprefix("URN-")
            _schools.put(urn, school)
            found[urn] = school
    return found


def organisation_names(codes: Iterable[str]) -> dict[str, str]:
    """Organisations' names by code, in one query: people read names, not codes."""
    wanted = set(codes)
    if not wanted:
        return {}
    return dict(Organisation.objects.filter(code__in=wanted).values_list("code", "name"))
