"""The classes of multi-agency meeting about a child, one enum for every app that convenes one or times one.

Here rather than in the meetings app so that ``clocks.starts`` can say which clocks holding each class of
meeting meets and starts without depending on the app that convenes them (the layers: docs/architecture.md).
"""

from django.db import models


class MeetingKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy-discussion", "Strategy discussion"
    INITIAL_CONFERENCE = "initial-conference", "Initial child protection conference"
    REVIEW_CONFERENCE = "review-conference", "Review child protection conference"
    PRE_BIRTH_CONFERENCE = "pre-birth-conference", "Pre-birth child protection conference"
    CORE_GROUP = "core-group", "Core group meeting"
