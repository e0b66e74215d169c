"""Fixtures for inspection access: a grant made through the service by the area's administrator, a second
inspector of the same inspectorate who is not in its team, and children on the area's lists."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from openmash.access.models import Inspection
from openmash.access.services import inspection_access_grant
from openmash.accounts.actors import actor_for_user
from openmash.accounts.models import Role
from openmash.accounts.services import user_create


@pytest.fixture
def other_inspector(cast):
    """An Ofsted inspector the area did not name in the team."""
    return user_create(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=cast.organisations["inspectorate"],
        username="other.inspector",
        email="other.inspector@example.test",
        first_name="Pat",
        last_name="Other",
        roles=[Role.INSPECTOR],
        password="An-unused-password-2026",
    )


@pytest.fixture
def grant(cast) -> Inspection:
    """A grant running now, for the demo inspector only, made by Stockton's administrator."""
    now = timezone.now()
    return inspection_access_grant(
        actor=actor_for_user(cast.users["council.admin"]),
        council=cast.organisations["council"],
        inspectorate=cast.organisations["inspectorate"],
        team=[cast.users["inspector"]],
        reference="ILACS-TEST-1",
        starts_at=now,
        ends_at=now + dt.timedelta(days=14),
        reason="Inspection of local authority children's services",
    )


@pytest.fixture
def client_of(cast):
    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in
