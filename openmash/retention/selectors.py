from dataclasses import dataclass

from openmash.organisations.models import Organisation
from openmash.retention.models import RetentionSetting
from openmash.retention.rules import Rule, rules


@dataclass(frozen=True)
class Figures:
    """One rule as it applies to an organisation's records: the default, and its own figures if it set them."""

    default: Rule
    applied: Rule
    own: RetentionSetting | None


def retention_figures(organisation: Organisation) -> list[Figures]:
    own = {setting.rule: setting for setting in RetentionSetting.objects.filter(organisation=organisation)}
    found = []
    for key, rule in rules().items():
        setting = own.get(key)
        applied = (
            rule.with_figures(birthday=setting.birthday, years_after=setting.years_after) if setting else rule
        )
        found.append(Figures(default=rule, applied=applied, own=setting))
    return found
