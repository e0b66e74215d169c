"""Reads of organisations. Organisations are not case content: anyone signed in may look them up."""

from django.db.models import Q, QuerySet

from openmash.organisations.models import Organisation


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
