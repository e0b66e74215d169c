import datetime as dt

import pytest

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import user_create
from openmash.lib.instants import LONDON
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.vetting.services import VettingRequestInput, vetting_request_submit

SUBMITTED = dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture
def council_team(cast):
    return actor_for_user(cast.users["social.worker"])


@pytest.fixture
def vetting_officer(cast):
    return actor_for_user(cast.users["vetting.officer"])


def _user(organisation, username, role):
    return user_create(
        actor=system_actor(organisation),
        organisation=organisation,
        username=username,
        email=f"{username}@example.invalid",
        first_name="Test",
        last_name=username.title(),
        roles=[role],
        password="A-long-test-password-2026",
    )


@pytest.fixture
def other_force_vetting_officer(db):
    durham = Organisation.objects.get(kind=OrganisationKind.POLICE, name__icontains="Durham")
    durham.requires_two_factor = (
        False  # signed in by the tests without a phone, as the demo's organisations are
    )
    durham.save(update_fields=["requires_two_factor"])
    return actor_for_user(_user(durham, "durham.vetting", Role.VETTING_OFFICER))


@pytest.fixture
def submit(council_team):
    def submit_one(actor=None, **changes):
        data = {
            "given_name": "Jordan",
            "family_name": "Blake",
            "date_of_birth": dt.date(1984, 6, 1),
            "role": "foster-carer",
            "household": "Blake household",
            "placements_blocked": "Two brothers, 6 and 9, matched with the Blake household",
            "submitted_at": SUBMITTED,
        } | changes
        return vetting_request_submit(actor=actor or council_team, data=VettingRequestInput(**data))

    return submit_one
