"""Home, help, the accessibility statement, health, and the session's time left."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from openmash.access import policy
from openmash.access.selectors import inspection_list
from openmash.accounts.actors import actor_for_request
from openmash.accounts.models import Role
from openmash.clocks.selectors import Group, deadline_summary
from openmash.web.middleware import session_extend


def home(request):
    actor = actor_for_request(request)
    inspections = inspection_list(actor=actor)
    context = {
        "roles": [Role(code).label for code in sorted(actor.roles) if code in Role.values],
        "may_search": policy.may_search_people(actor),
        "may_record": policy.may_record_people(actor),
        "may_administer": actor.organisation is not None and policy.may_administer(actor, actor.organisation),
        "may_grant_inspection_access": actor.organisation is not None
        and policy.may_grant_inspection_access(actor, actor.organisation),
        "is_inspector": actor.is_inspector,
        "inspections": inspections,
    }
    # The same selectors as the lists these counts link to, so they agree (tests/clocks/test_workload.py).
    summary = deadline_summary(actor=actor)
    context["deadlines"] = summary
    if summary is not None:
        context["deadline_counts"] = [
            (name, label, summary.mine[name]) for name, label in Group.LABELS.items()
        ]
        context["escalations"] = summary.escalated if policy.receives_escalations(actor) else None
        context["may_see_caseload"] = policy.may_see_caseload(actor)
    return render(request, "web/home.html", context)


@login_not_required
def accessibility(request):
    return render(request, "web/accessibility.html")


@login_not_required
def help_page(request):
    return render(request, "web/help.html")


@require_GET
def session_time_left(request: HttpRequest) -> JsonResponse:
    """Seconds until this session ends, for the timeout warning (asking does not extend it)."""
    return JsonResponse({"expires_in": request.session.get_expiry_age()})


@require_POST
def session_stay_signed_in(request: HttpRequest) -> JsonResponse:
    """The timeout warning's "Stay signed in": the session's full length starts again."""
    session_extend(request)
    return JsonResponse({"expires_in": request.session.get_expiry_age()})


@login_not_required
def health(request):
    """For load balancers: the app answers and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
