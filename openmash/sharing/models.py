"""Shares, one per recipient organisation of an event, and the deliveries that carry them.

Every share keeps its own timestamps (occurred, reported, recorded, shared, delivered, first read,
acknowledged) and its deadline, so any delay is measured rather than hidden. Deliveries are an outbox written
in the same transaction as the event: a committed event is delivered, retried, or visibly stuck.
"""

from django.db import models

from openmash.accounts.models import User
from openmash.events.models import Event
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class Route(models.TextChoices):
    """Why an organisation receives a share (the rule in routing.py that chose it)."""

    HOME_COUNCIL = "home-council", "Council where the child lives"
    SCHOOL = "school", "Child's school (Operation Encompass)"
    HOME_EDUCATED = "home-educated", "Council for a home-educated child (Operation Encompass)"
    SCHOOL_NOT_ON_SERVICE = "school-not-on-service", "Council, for a school not yet on OpenMASH"
    RESPONSIBLE_COUNCIL = "responsible-council", "Council responsible for the looked-after child"
    HOST_COUNCIL = "host-council", "Council where the looked-after child is placed"
    FOUND_COUNCIL = "found-council", "Council where the child was found"
    CHOSEN_COUNCIL = "chosen-council", "Council the referral was made to"
    COVERING_POLICE = "covering-police", "Police force covering the child's home"
    ADDED = "added", "Added by the person recording"
    INVITED = "invited", "Invited to a multi-agency meeting"
    INVOLVED = "involved", "Agency involved in the child's case"
    # The council that raised it for its own front door: two or more agencies' concerns about a child.
    CONCERNS_TOGETHER = (
        "concerns-together",
        "Council front door of the child (concerns from two or more agencies)",
    )
    # An agency that received (or sent) a person's details, told when they are corrected (UK GDPR Art 19).
    RECEIVED_THE_DETAILS = "received-the-details", "Agency that received the person's details"


class Content(models.TextChoices):
    FULL = "full", "Full notification"
    ENCOMPASS = "encompass", "Operation Encompass notice (what a school needs)"


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "no-further-action", "No further action"
    EARLY_HELP = "early-help", "Early help"
    ASSESSMENT = "assessment", "Child and family assessment"
    STRATEGY_DISCUSSION = "strategy-discussion", "Strategy discussion"
    NOTED = "noted", "Read and noted"
    # A missing or found report about a child the council already works with.
    SOCIAL_WORKER_TOLD = "social-worker-told", "Passed to the child's social worker"
    RETURN_INTERVIEW = "return-interview", "Return home interview to be offered"
    # Answered by a step of joint work on its own page (an officer named, a closure agreed, a stage's outcome).
    ANSWERED = "answered", "Answered"


class ImportedAs(models.TextChoices):
    """How a share recorded in another system was imported (docs/import.md)."""

    # Counted in every measure with its real times, but nobody's work now: no deadline to meet, no escalation,
    # no alert, webhook or live inbox push. Shown apart from live work.
    HISTORY = "history", "History, handled elsewhere"
    # A backlog still waiting: delivered, counted overdue and escalated like any share.
    LIVE = "live", "Recorded elsewhere, still to be handled"


COUNCIL_DECISIONS = [
    Decision.NO_FURTHER_ACTION,
    Decision.EARLY_HELP,
    Decision.ASSESSMENT,
    Decision.STRATEGY_DISCUSSION,
]

# What a council front door may decide on a missing or found report: tell the child's social worker, hold a
# strategy discussion (a risk of exploitation, say), or (for a found report) offer the return home interview.
MISSING_DECISIONS = [Decision.SOCIAL_WORKER_TOLD, Decision.STRATEGY_DISCUSSION, Decision.NO_FURTHER_ACTION]
FOUND_DECISIONS = [
    Decision.RETURN_INTERVIEW,
    Decision.SOCIAL_WORKER_TOLD,
    Decision.STRATEGY_DISCUSSION,
    Decision.NO_FURTHER_ACTION,
]


class Share(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # No index of its own: share_one_per_recipient starts with it.
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="shares", db_index=False)
    # No index of its own: share_inbox_idx starts with it.
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="shares_received", db_index=False
    )
    route = models.CharField(max_length=30, choices=Route.choices)
    content = models.CharField(max_length=10, choices=Content.choices, default=Content.FULL)
    people = models.ManyToManyField(Person, related_name="shares", blank=True)
    # A named person in the recipient organisation who must also be told (a looked-after child's social worker).
    named_recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Two clocks, one each side (docs/architecture.md, "Two clocks"). The recipient's: the rule it must act
    # by, counted from the share's arrival (``due_at``, met by ``acknowledged_at``; the only one escalated at
    # the recipient). The sender's: the rule it had to tell the recipient by, counted from the event
    # (``notification_due_at``, met or missed by ``shared_at``; recorded against the sender).
    clock_rule = models.CharField(max_length=40, blank=True)
    notification_rule = models.CharField(max_length=40, blank=True)
    notification_due_at = models.DateTimeField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    shared_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    first_read_at = models.DateTimeField(null=True, blank=True)
    first_read_by_label = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # False when the recipient was found only through a record the sender may not see (its home, its status
    # with a council, its school): telling the sender who received it would tell it what that record holds.
    sender_sees = models.BooleanField(default=True)
    # Set when the share was recorded in another system and imported; blank for one recorded here.
    imported_as = models.CharField(max_length=10, choices=ImportedAs.choices, blank=True)
    # When the recipient handled it in its own system, where the import says (history only).
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_at"]
        constraints = [models.UniqueConstraint(fields=["event", "recipient"], name="share_one_per_recipient")]
        indexes = [
            models.Index(fields=["recipient", "delivered_at"], name="share_inbox_idx"),
            models.Index(fields=["acknowledged_at", "due_at"], name="share_overdue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient.name}"


class WebhookEndpoint(models.Model):
    """Where an organisation's own systems receive its shares, signed with Standard Webhooks."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Standard Webhooks secret, whsec_...")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.organisation.code} {self.url}"


class AlertSetting(models.Model):
    """GOV.UK Notify settings of an organisation; without a key, alerts are logged instead."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="alert_setting")
    notify_api_key = models.CharField(max_length=200, blank=True)
    notify_base_url = models.URLField(blank=True, help_text="Only to point at a Notify stand-in in testing")
    email_template_id = models.CharField(max_length=64, blank=True)
    email_addresses = models.TextField(blank=True, help_text="Team mailboxes, one per line")

    def __str__(self) -> str:
        return f"alerts for {self.organisation.code}"


class Channel(models.TextChoices):
    INBOX = "inbox", "Inbox"
    WEBHOOK = "webhook", "Webhook"
    ALERT = "alert", "Alert"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Stuck: gave up after repeated failures"
    # An imported share's, until the rest of its file is in (openmash.recording.importing): no worker claims it.
    HELD = "held", "Held until its import is complete"
    # An imported share's that is history (ImportedAs.HISTORY): never sent, since it was handled elsewhere.
    HISTORY = "history", "Not sent: imported as history"


class Delivery(models.Model):
    share = models.ForeignKey(Share, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # No index of its own: delivery_endpoint_idx starts with it.
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    # The same id on every retry, so a receiver can drop duplicates (Standard Webhooks "webhook-id").
    message_id = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker's claim; a worker that dies leaves a lease that runs out, and another worker takes over.
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    # The id of the request that recorded the share (lib/requestid.py), so that the worker's log lines for
    # this delivery can be found beside the request's own; blank for what no request recorded (an import).
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["endpoint", "status"], name="delivery_endpoint_idx"),
            # The worker's lease (sharing.outbox) takes the oldest pending deliveries by id. Without this,
            # PostgreSQL could plan it as a walk of every delivery by id, history included (hundreds of
            # thousands after an import): about a second a lease, minutes for the letter-2016 scenario.
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="delivery_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} for {self.share_id}: {self.status}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    succeeded = models.BooleanField()
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {'ok' if self.succeeded else 'failed'}"


class Escalation(models.Model):
    """An unacknowledged share past its deadline, raised to the team manager (1) then the partnership (2)."""

    share = models.ForeignKey(Share, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_role = models.CharField(max_length=40)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["share", "level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"level {self.level} for {self.share_id}"


class IdempotentRequest(models.Model):
    """The first answer to an API POST with an Idempotency-Key, returned again for any retry of the same
    request: the same organisation, method, path and key (a key reused on another URL is another request)."""

    api_client_id = models.BigIntegerField()
    organisation_id = models.BigIntegerField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_id", "method", "path", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.key
