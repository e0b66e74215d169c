"""Delivering shares: one batch from the outbox (sharing/outbox.py) through its channels (sharing/channels.py).

- inbox: marking the share delivered is idempotent, so the inbox gets it exactly once;
- webhook: at least once, always with the same ``webhook-id``, and in order per endpoint (a later delivery
  waits while an earlier one to the same endpoint is still pending);
- alert: GOV.UK Notify where the organisation has a key; otherwise the alert is logged.

The worker process that runs batches, and the sweeps it runs between them, is worker/loop.py.
"""

from django.utils import timezone

from openmash.database import write_transaction
from openmash.lib.requestid import request_id
from openmash.sharing.channels import deliver_here, deliver_webhook, failed, send_by_notify
from openmash.sharing.models import Channel
from openmash.sharing.outbox import anything_due, finish, lease, record_outcomes

# Deliveries leased at once (the worker loop lets the next batch gather while busy: worker/loop.py).
BATCH_SIZE = 200


def run_once(worker_id: str, limit: int = BATCH_SIZE) -> int:
    """Claim and deliver one batch; the number delivered or tried.

    Inbox deliveries and logged alerts are claimed and finished in one transaction: nothing leaves the system
    for them. Webhooks and GOV.UK Notify alerts are leased in that transaction and sent after it, each
    finished as soon as it is sent (it went to another system, so its outcome is recorded before anything
    else)."""
    now = timezone.now()
    if not anything_due(now):
        return 0
    with write_transaction():
        batch = lease(worker_id, limit, now)
        outcomes, by_notify = deliver_here(
            [claimed for claimed in batch if claimed.channel != Channel.WEBHOOK]
        )
        record_outcomes(outcomes, worker_id=worker_id)
    for claimed, fact, setting in by_notify:
        # What is logged while it is sent (the HTTP client's own lines) carries its share's request id.
        request_id.set(claimed.request_id)
        try:
            outcome = (claimed, *send_by_notify(claimed, fact, setting))
        except Exception as error:
            outcome = failed(claimed, error)
        finish([outcome], worker_id=worker_id)
    for claimed in batch:
        if claimed.channel == Channel.WEBHOOK:
            request_id.set(claimed.request_id)
            deliver_webhook(claimed, worker_id)
    request_id.set("")
    return len(batch)
