"""Writes of accounts and API clients."""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actors import Actor, actor_for_user, signing_in_actor
from openmash.accounts.models import ApiClient, Role, RoleAssignment, User, roles_for_kind
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib.errors import InvalidInput
from openmash.lib.remembered import Remembered
from openmash.organisations.models import Organisation, OrganisationKind

TOKEN_PREFIX = "omk"


def _check_roles(roles: Iterable[str], organisation: Organisation) -> list[str]:
    chosen = sorted(set(roles))
    unknown = [role for role in chosen if role not in Role.values]
    if unknown:
        raise InvalidInput({"roles": f"Unknown role: {', '.join(unknown)}"})
    if not chosen:
        raise InvalidInput({"roles": "Choose at least one role"})
    allowed = {value for value, _label in roles_for_kind(organisation.kind)}
    refused = [Role(role).label for role in chosen if role not in allowed]
    if refused:
        kind = OrganisationKind(organisation.kind).label.lower() if organisation.kind else "organisation"
        raise InvalidInput(
            {"roles": f"A {kind} cannot give the role of {', '.join(refused)}: choose its own roles"}
        )
    return chosen


def sign_in_record(*, user: User, address: str) -> None:
    """Record a successful sign-in and where it came from."""
    with transaction.atomic():
        audit_record(
            actor=actor_for_user(user),
            action=AuditAction.SIGN_IN,
            object_type="user",
            object_id=user.pk,
            detail={"address": address},
        )


def sign_in_failure_record(*, username: str, address: str, locked: bool) -> None:
    """Record a failed sign-in: the user name tried (never the password), the address it came from, and
    whether the account was locked. Entered against the account's organisation when the name is one, so that
    its administrators can see who is trying it."""
    user = User.objects.filter(username=username).select_related("organisation").first()
    with transaction.atomic():
        audit_record(
            actor=signing_in_actor(user.organisation if user is not None else None),
            action=AuditAction.SIGN_IN_FAILED,
            object_type="user",
            object_id=user.pk if user is not None else "",
            detail={"username": username[:150], "address": address, "locked": locked},
        )


def user_create(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    password: str | None = None,
    job_title: str = "",
    team: str = "",
) -> User:
    """Create an account. Without a password the account cannot sign in until one is set."""
    chosen = _check_roles(roles, organisation)
    user = User(
        organisation=organisation,
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        job_title=job_title.strip(),
        team=team.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in chosen)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="user",
            object_id=user.pk,
            detail={"username": user.username, "organisation": organisation.code, "roles": chosen},
        )
        return user


def user_set_roles(*, actor: Actor, user: User, roles: Iterable[str]) -> User:
    chosen = _check_roles(roles, user.organisation)
    with transaction.atomic():
        user.role_assignments.exclude(role__in=chosen).delete()
        for role in chosen:
            RoleAssignment.objects.get_or_create(user=user, role=role)
        user.__dict__.pop("role_codes", None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="user",
            object_id=user.pk,
            detail={"roles": chosen},
        )
        return user


def password_change(*, actor: Actor, user: User, current: str, new: str, confirm: str) -> User:
    """A person changes their own password: the current one proves it is them, the new one passes the
    service's password validators (settings.AUTH_PASSWORD_VALIDATORS). The password itself is never audited."""
    if actor.user is None or actor.user.pk != user.pk:
        raise InvalidInput({"current": "You can only change your own password"})
    errors: dict[str, str | list[str]] = {}
    if not user.check_password(current):
        errors["current"] = "Your current password is not right"
    if new != confirm:
        errors["confirm"] = "The new passwords do not match: enter the same password twice"
    elif new == current and "current" not in errors:
        errors["new"] = "Your new password must be different from your current one"
    else:
        try:
            validate_password(new, user)
        except ValidationError as error:
            errors["new"] = list(error.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="user",
            object_id=user.pk,
            reason="changed their own password",
            detail={"password_changed": True},
        )
    return user


def user_set_active(*, actor: Actor, user: User, active: bool) -> User:
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="user",
            object_id=user.pk,
            detail={"is_active": active},
        )
        return user


def organisation_set_two_factor(*, actor: Actor, organisation: Organisation, required: bool) -> Organisation:
    with transaction.atomic():
        organisation.requires_two_factor = required
        organisation.save(update_fields=["requires_two_factor", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="organisation",
            object_id=organisation.code,
            detail={"requires_two_factor": required},
        )
        return organisation


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiClient:
    client: ApiClient
    token: str  # shown once, never stored


def api_client_create(*, actor: Actor, organisation: Organisation, name: str) -> NewApiClient:
    if not name.strip():
        raise InvalidInput({"name": "Enter a name for the API client"})
    if ApiClient.objects.filter(organisation=organisation, name=name.strip()).exists():
        raise InvalidInput({"name": f"{organisation.name} already has an API client called {name.strip()!r}"})
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        client = ApiClient.objects.create(
            organisation=organisation,
            name=name.strip(),
            token_prefix=prefix,
            token_digest=token_digest(token),
            created_by=actor.user,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="api-client",
            object_id=client.pk,
            detail={"organisation": organisation.code, "name": client.name},
        )
    return NewApiClient(client=client, token=token)


# Recently checked tokens, by digest: the API authenticates every request, and a busy client sends hundreds a
# second. A revoked token stops working at once in the process that revoked it and within 5 seconds in
# every other process.
_checked_tokens: Remembered[str, ApiClient] = Remembered(seconds=5.0)


def api_client_authenticate(token: str) -> ApiClient | None:
    """The live API client whose token this is, or None. Compares digests in constant time."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    digest = token_digest(token)
    remembered = _checked_tokens.get(digest)
    if remembered is not None:
        return remembered
    client = (
        ApiClient.objects.select_related("organisation")
        .filter(token_prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if client is None or not secrets.compare_digest(client.token_digest, digest):
        _checked_tokens.forget(digest)
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client should not write on every request.
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    _checked_tokens.put(digest, client)
    return client


def api_client_revoke(*, actor: Actor, client: ApiClient) -> ApiClient:
    with transaction.atomic():
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        _checked_tokens.forget(client.token_digest)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="api-client",
            object_id=client.pk,
            detail={"revoked": True},
        )
        return client
