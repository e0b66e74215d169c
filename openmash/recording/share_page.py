"""One share's page: what was shared, its deadline and timeline, and, for the recipient, the form to
acknowledge it and record the decision (recording/decisions.py). Here, above clocks, because the page names the
statutory clock the share runs to and the decision can start another. Its address keeps the name sharing:share."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access import policy
from openmash.access.requests import case_worker
from openmash.clocks.selectors import current_allocation, rule_titles
from openmash.lib.errors import InvalidInput
from openmash.recording.decisions import share_acknowledge
from openmash.sharing import selectors
from openmash.sharing.context import share_context
from openmash.sharing.links import work_link
from openmash.sharing.models import Content, Share
from openmash.sharing.services import answered_by_a_step, decisions_for, front_door_decides
from openmash.ui.forms import add_service_errors, error_summary_items


class AcknowledgeForm(forms.Form):
    """A front door's decision with reasons (the decisions that fit the kind of event), or, for everything
    else, a plain "mark as read" with an optional note (none for a school's Operation Encompass notice)."""

    decision = forms.ChoiceField(
        widget=forms.RadioSelect, error_messages={"required": "Choose what happens next"}
    )
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, share: Share, **kwargs):
        super().__init__(*args, **kwargs)
        self.decides = front_door_decides(share)
        self.helper = FormHelper()
        self.helper.form_tag = False
        if not self.decides:
            del self.fields["decision"]
            if share.content == Content.ENCOMPASS:
                del self.fields["reasons"]
                self.helper.layout = Layout()
                return
            self.fields["reasons"].label = "Note (optional)"
            self.helper.layout = Layout(Field.textarea("reasons"))
            return
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = [(choice.value, choice.label) for choice in decisions_for(share)]
        decision.label = "What happens next"
        self.fields["reasons"].label = "Reasons for the decision"
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.SMALL), Field.textarea("reasons")
        )


def share_page(request: HttpRequest, share_id: str) -> HttpResponse:
    actor = case_worker(request)
    opened = selectors.share_open(actor=actor, share_id=share_id)
    share = opened.share
    form = AcknowledgeForm(request.POST if request.method == "POST" else None, share=share)
    if request.method == "POST" and opened.is_recipient and form.is_valid():
        try:
            share_acknowledge(
                actor=actor,
                share=share,
                decision=form.cleaned_data.get("decision", ""),
                reasons=form.cleaned_data.get("reasons", ""),
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Acknowledged: the sender can now see your decision" if form.decides else "Marked as read",
            )
            return redirect("sharing:share", share_id=share.pk)
    content = opened.content
    context = {
        "opened": opened,
        "share": share,
        "content": content,
        "form": form,
        "errors": error_summary_items(form) if form.is_bound else [],
        "status": selectors.deadline_status(share),
        "labels": selectors.DeadlineStatus.LABELS,
        "work_link": work_link(share.event),
        "answered_by_a_step": answered_by_a_step(share),
        "titles": rule_titles(actor),
        "notification": selectors.notification_timing(share),
        "children_context": share_context(actor=actor, share=share),
        "detail_rows": selectors.detail_rows(content.get("details") or {}),
        "concerns": selectors.concerns_in_words(content.get("details") or {}),
        "children": selectors.people_in_words(content["children"]),
        "adults": selectors.people_in_words(content.get("adults", []), content["children"]),
        # Who in the receiving organisation is doing it, and whether this person may (re)allocate it.
        "allocation": current_allocation("share", share.pk) if opened.is_recipient else None,
        "may_allocate": opened.is_recipient and policy.may_allocate(actor, share.recipient_id),
    }
    return render(request, "sharing/share.html", context)
