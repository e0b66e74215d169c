"""One share's page: what was shared, its deadline and timeline, and, for the recipient, the form to
acknowledge it and record the decision (recording/decisions.py). Here, above clocks, because the page names the
statutory clock the share runs to and the decision can start another. Its address keeps the name sharing:share."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access.requests import case_worker
from openmash.clocks.selectors import rule_titles
from openmash.lib.errors import InvalidInput
from openmash.recording.decisions import share_acknowledge
from openmash.sharing import selectors
from openmash.sharing.links import work_link
from openmash.sharing.models import Share
from openmash.sharing.services import decisions_for, front_door_decides
from openmash.ui.forms import add_service_errors, error_summary_items


class AcknowledgeForm(forms.Form):
    decision = forms.ChoiceField(
        widget=forms.RadioSelect, error_messages={"required": "Choose what happens next"}
    )
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, share: Share, **kwargs):
        super().__init__(*args, **kwargs)
        council = front_door_decides(share)
        choices = [(choice.value, choice.label) for choice in decisions_for(share)]
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = choices
        self.fields["decision"].label = "What happens next" if council else "Confirm you have read this"
        self.fields["reasons"].label = "Reasons for the decision" if council else "Note (optional)"
        self.helper = FormHelper()
        self.helper.form_tag = False
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
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Acknowledged: the sender can now see your decision")
            return redirect("sharing:share", share_id=share.pk)
    context = {
        "opened": opened,
        "share": share,
        "content": opened.content,
        "form": form,
        "errors": error_summary_items(form) if form.is_bound else [],
        "status": selectors.deadline_status(share),
        "labels": selectors.DeadlineStatus.LABELS,
        "work_link": work_link(share.event),
        "rule_title": rule_titles(actor).get(share.clock_rule, ""),
    }
    return render(request, "sharing/share.html", context)
