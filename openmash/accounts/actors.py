"""Who is acting: a signed-in person or an organisation's API client, always on behalf of one organisation.

Policy, audit and services all take an ``Actor`` so that a web page and an API call are judged and recorded
the same way.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from openmash.accounts.models import ApiClient, Role, User
from openmash.organisations.models import Organisation

# An API client is a case-working system of its organisation (a police records system, a school MIS).
API_CLIENT_ROLE = "api-client"
# An operator loading records an organisation made elsewhere (`openmash import`) acts as its case system.
IMPORT_ROLE = "import"
# The service acting for an organisation under a protocol it has agreed to, with no person acting: a looked-after
# child's Philomena profile released to the police by a missing report (openmash.philomena).
PROTOCOL_ROLE = "protocol"
# The service raising what one of the area's rules found, for the organisation that must act on it, with no
# person acting: two or more agencies' concerns about a child, raised for the child's council front door.
RULE_ROLE = "rule"
# A command an operator runs for an organisation (an export, a search for duplicates): it sees what that
# organisation may see, no more.
OPERATOR_ROLE = "operator"
# Someone trying to sign in, not (yet) anyone: the actor of a failed sign-in.
SIGNING_IN_ROLE = "signing-in"


@dataclass(frozen=True)
class Actor:
    # None only for the service itself (loading reference data, start-up jobs).
    organisation: Organisation | None
    roles: frozenset[str]
    user: User | None = None
    api_client: ApiClient | None = None

    @property
    def id(self) -> int | None:
        if self.user is not None:
            return self.user.pk
        return -self.api_client.pk if self.api_client is not None else None

    @property
    def organisation_code(self) -> str:
        return self.organisation.code if self.organisation is not None else "-"

    @property
    def label(self) -> str:
        if self.user is not None:
            name = self.user.get_full_name()
            return f"{name} ({self.user.username})" if name else self.user.username
        if self.api_client is not None:
            return f"API client {self.api_client.name}"
        if IMPORT_ROLE in self.roles:
            return "import by an operator"
        if PROTOCOL_ROLE in self.roles:
            return "released automatically under the Philomena Protocol"
        if RULE_ROLE in self.roles:
            return "raised automatically: concerns from two or more agencies"
        if OPERATOR_ROLE in self.roles:
            return "an operator's command"
        if SIGNING_IN_ROLE in self.roles:
            return "someone not signed in"
        return "system"

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_inspector(self) -> bool:
        return Role.INSPECTOR in self.roles


def actor_for_user(user: User) -> Actor:
    return Actor(organisation=user.organisation, roles=user.role_codes, user=user)


def actor_for_request(request: HttpRequest) -> Actor:
    """The signed-in person making a web request. LoginRequiredMiddleware has already turned away anyone else."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("No one is signed in")
    return actor_for_user(user)


def actor_for_api_client(client: ApiClient) -> Actor:
    return Actor(organisation=client.organisation, roles=frozenset({API_CLIENT_ROLE}), api_client=client)


def import_actor(organisation: Organisation) -> Actor:
    return Actor(organisation=organisation, roles=frozenset({IMPORT_ROLE}))


def protocol_actor(organisation: Organisation) -> Actor:
    return Actor(organisation=organisation, roles=frozenset({PROTOCOL_ROLE}))


def signing_in_actor(organisation: Organisation | None) -> Actor:
    """Whoever is trying to sign in to an account of ``organisation`` (None for an unknown user name)."""
    return Actor(organisation=organisation, roles=frozenset({SIGNING_IN_ROLE}))


def rule_actor(organisation: Organisation) -> Actor:
    return Actor(organisation=organisation, roles=frozenset({RULE_ROLE}))


def system_actor(organisation: Organisation | None = None) -> Actor:
    """The service itself, optionally on behalf of an organisation (demo data, background work)."""
    return Actor(organisation=organisation, roles=frozenset())


def actor_still_allowed(actor: Actor, request: HttpRequest | None = None) -> bool:
    """Whether a long-lived request (a live stream) may go on: its account still active and its session not
    ended (signed out, expired), or its API client not revoked. Asked again every few seconds, so taking
    someone's access away also ends what they are already watching."""
    if actor.user is not None:
        if not User.objects.filter(pk=actor.user.pk, is_active=True).exists():
            return False
        session = getattr(request, "session", None)
        return session is None or session.session_key is None or session.exists(session.session_key)
    if actor.api_client is not None:
        return ApiClient.objects.filter(pk=actor.api_client.pk, revoked_at__isnull=True).exists()
    return False


def operator_actor(organisation: Organisation) -> Actor:
    return Actor(organisation=organisation, roles=frozenset({OPERATOR_ROLE}))
