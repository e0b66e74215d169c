"""Role-aware navigation: each person sees only the sections their roles can use; when the session ends."""

from django.conf import settings
from django.urls import reverse

from openmash.access import policy
from openmash.accounts.actors import actor_for_user
from openmash.clocks.selectors import escalation_count
from openmash.organisations.models import OrganisationKind


def navigation(request):
    items: list[dict[str, object]] = []
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and (user.is_verified() or not user.organisation.requires_two_factor)
    ):
        actor = actor_for_user(user)
        works = policy.works_cases(actor)
        is_police = user.organisation.kind == OrganisationKind.POLICE
        candidates = [("Home", reverse("web:home"), True)]
        candidates.append(("Inbox", reverse("sharing:inbox"), works))
        candidates.append(("Record an incident", reverse("events:incident-create"), works and is_police))
        candidates.append(("My submissions", reverse("sharing:submissions"), works))
        candidates.append(("Meetings", reverse("meetings:list"), works))
        is_council = user.organisation.kind == OrganisationKind.COUNCIL
        candidates.append(("Joint visits", reverse("casework:visits"), works and (is_police or is_council)))
        candidates.append(
            ("Missing children", reverse("missing:home"), policy.may_read_missing_episodes(actor))
        )
        candidates.append(("Deadlines", reverse("clocks:deadlines"), works))
        candidates.append(
            (
                "Vetting",
                reverse("vetting:list"),
                policy.may_request_vetting(actor) or policy.may_do_vetting_checks(actor),
            )
        )
        if policy.receives_escalations(actor):
            # The count is the list's own (clocks.selectors.escalation_count), on every page.
            count = escalation_count(actor)
            candidates.append((f"Escalations ({count})", reverse("clocks:escalations"), True))
        candidates.append(
            ("Area measures", reverse("insight:area-home"), policy.dashboard_area(actor) is not None)
        )
        candidates.append(("Find a person", reverse("people:search"), policy.may_search_people(actor)))
        candidates.append(("Record a child", reverse("people:create"), policy.may_record_people(actor)))
        candidates.append(
            ("Subject access", reverse("subjectaccess:requests"), policy.answers_subject_access(actor))
        )
        candidates.append(
            ("Administration", reverse("accounts:users"), policy.may_administer(actor, user.organisation))
        )
        allowed = [(label, url) for label, url, may in candidates if may]
        # The section whose address is the longest prefix of this page is the current one.
        matching = [
            url
            for _label, url in allowed
            if request.path == url or (url != "/" and request.path.startswith(url))
        ]
        current = max(matching, key=len, default=None)
        items = [{"label": label, "url": url, "active": url == current} for label, url in allowed]
    return {"navigation": items, "service_name": settings.SERVICE_NAME}


def session_timeout(request):
    """How long this signed-in session has left, for the warning every page gives before it ends."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_expires_in": request.session.get_expiry_age(),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
