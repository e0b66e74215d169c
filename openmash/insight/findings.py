"""Findings in the manner of an inspection letter: a sentence for each headline figure the data says is a
failure, with its figure, how many cases it rests on, its comparison with every other area and the list of
cases behind it. Nothing is said where the area does well, nor where too few cases say anything.

The thresholds are data (``THRESHOLDS``), each with the standard it comes from (domain.md section 3 and the
2016 findings of section 1). A figure is a finding when it is past its threshold and rests on at least
``minimum_cases`` cases; the comparison is said beside it, not asked of it, because a standard missed is missed
even where most areas miss it too.
"""

from dataclasses import dataclass
from typing import Any

from openmash.insight.comparison import Comparison
from openmash.insight.headlines import BY_KEY, Better, Headline, dig


@dataclass(frozen=True)
class Threshold:
    headline: str  # the key of its headline figure (``insight.headlines``)
    limit: float  # past this (below it when higher is better, above it when lower is) is a finding
    minimum_cases: int
    # The finding's first sentence, and the sentence giving its figure ({value}, {base}, {base_label}).
    finding: str
    figure: str


# Fewer than 5 cases in a period say little about an area (one late notification of three is 33%): the figure
# is shown on the dashboard, but no finding is drawn from it.
FEW = 5

THRESHOLDS: tuple[Threshold, ...] = (
    # Each incident is to be notified individually within the local protocol's time (default 24 hours, 1 hour
    # if high risk; domain.md section 3). One notification in ten late is the line: below it, lateness is the
    # pattern the 2016 letter found in Medway, Wirral and Slough, not an exception.
    Threshold(
        "da_in_time",
        90.0,
        FEW,
        "Police notifications of domestic abuse do not reach children's social care in time.",
        "Only {value} of {base} {base_label} were shared within the area's target.",
    ),
    # "Each incident individually, never batched" (domain.md section 3; Bury 2016): a tenth sent in batches
    # is a practice, not an accident of timing.
    Threshold(
        "da_batched",
        10.0,
        FEW,
        "Police send notifications of domestic abuse to children's social care in batches, not as each "
        "incident arises.",
        "{value} of {base} {base_label} were sent in batches.",
    ),
    # The default notification time is 24 hours (domain.md section 3): a median past it means most
    # notifications take longer than the target allows (Medway 2016: weeks).
    Threshold(
        "da_median_delay",
        24.0,
        FEW,
        "Children's social care usually hears of domestic abuse more than a day after the police.",
        "The median time from the report to police to the council was {value}, over {base} {base_label}.",
    ),
    # Schools are to know before the next school day (Victims and Prisoners Act 2024): as for notifications,
    # one in ten late is the line.
    Threshold(
        "encompass_in_time",
        90.0,
        FEW,
        "Schools are often not told of domestic abuse before the next school day.",
        "{value} of {base} {base_label} reached the school in time.",
    ),
    # The council is to be told of a missing child within an hour by default (domain.md section 3; Bromley
    # 2016): one in ten late is the line.
    Threshold(
        "missing_told_in_time",
        90.0,
        FEW,
        "The council is not told in time when a child it is responsible for goes missing.",
        "The council was told in time of {value} of {base} {base_label}.",
    ),
    # With the default target of 1 hour, a median past it means most councils were told late.
    Threshold(
        "missing_median_delay",
        1.0,
        FEW,
        "The council usually hears that a child has gone missing more than an hour after the police.",
        "The median time from the report to police to the council was {value}, over {base} {base_label}.",
    ),
    # Every child who returns is to be offered an interview within 72 hours (DfE guidance, 2014); the 2015
    # inspections found them missing in half of the areas looked at. One in five not offered is the line.
    Threshold(
        "return_offered_in_time",
        80.0,
        FEW,
        "Children who return from going missing are not offered a return home interview in time.",
        "{value} of {base} {base_label} were offered one within 72 hours.",
    ),
    # A child may decline, so fewer are held than offered; fewer than half held is what the 2015 inspections
    # called interviews "missing or not done".
    Threshold(
        "return_held",
        50.0,
        FEW,
        "Most children who return from going missing have no return home interview.",
        "Interviews were held for {value} of {base} {base_label}.",
    ),
    # Every use of police protection is to record whether alternatives were discussed with the council
    # (domain.md section 3; Torbay 2016): a power of last resort. One use in ten without is the line.
    Threshold(
        "protection_alternatives",
        90.0,
        FEW,
        "Children are taken into police protection without alternatives being discussed with the council.",
        "Of {base} {base_label}, alternatives were discussed in {value} of those where the officer recorded it.",
    ),
    Threshold(
        "protection_told_in_time",
        90.0,
        FEW,
        "The council is not told in time when the police take a child into police protection.",
        "The council was told in time of {value} of {base} {base_label}.",
    ),
    # Police should attend strategy discussions and conferences (domain.md section 3); Dorset 2016 was absent
    # from over a third of conferences. Absent from more than a quarter is the line.
    Threshold(
        "police_at_strategy",
        75.0,
        FEW,
        "The police do not take part in enough strategy discussions.",
        "They attended {value} of {base} {base_label}.",
    ),
    Threshold(
        "police_at_initial",
        75.0,
        FEW,
        "The police are absent from initial child protection conferences, so decisions are taken without "
        "their information.",
        "They attended {value} of {base} {base_label}.",
    ),
    # A pre-birth conference is the initial conference for an unborn baby: Stockton-on-Tees 2016, officers
    # were told not to attend them (domain.md section 1). The same line as for initial conferences.
    Threshold(
        "police_at_pre_birth",
        75.0,
        FEW,
        "The police are absent from pre-birth child protection conferences, so plans for unborn babies are "
        "made without their information.",
        "They attended {value} of {base} {base_label}.",
    ),
    # The DBS service standard is 80% within 14 days (domain.md section 3): when the median open check has
    # waited longer than that, the backlog is the finding (Wandsworth and Dorset 2016).
    Threshold(
        "vetting_median_wait",
        14.0,
        FEW,
        "Vetting checks wait too long, keeping carers and adopters from children.",
        "The median open check had waited {value}, over {base} {base_label}.",
    ),
    # A visit needing an officer (to remove a child, or for the social worker's safety) is to have one: only
    # the police may remove a child (Southend 2016, domain.md section 1: social workers went alone and could
    # not). One visit in ten made alone is the line.
    Threshold(
        "visits_lone",
        10.0,
        FEW,
        "Social workers go alone on visits that need a police officer, so children cannot be removed when "
        "they need to be.",
        "{value} of {base} {base_label} went ahead without an officer.",
    ),
    # A closure about a child under s47 enquiries, on a plan or with injuries waits for the council's
    # agreement (casework.services.closures; Stockton 2016, domain.md section 1: an investigation closed
    # despite clear evidence of injury, reopened only when the council intervened). The standard is none, so
    # a single one is a finding: each is a child's investigation ended unheard.
    Threshold(
        "closures_unconsulted",
        0.0,
        1,
        "The police close investigations about children without the council's answer.",
        "{value} of {base} {base_label} took effect without the council being consulted.",
    ),
    # A joint (evidential) interview is held by the target date its strategy discussion set, while the child's
    # account is fresh (Working Together; Doncaster 2016, domain.md section 1: "not held soon enough"). One in
    # ten after it is the line, as for notifications.
    Threshold(
        "interviews_in_time",
        90.0,
        FEW,
        "Joint interviews of children by the police and social workers are not held soon enough.",
        "{value} of {base} {base_label} were held by the target date the strategy discussion set.",
    ),
)


@dataclass(frozen=True)
class Finding:
    headline: Headline
    value: float
    base: int
    sentence: str
    figure: str
    comparison: str
    drill: str  # a list key of ``insight.drilldown.LISTS``, or ""


def figure_text(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:g} {unit}" if unit != "hours" else f"{value:.1f} hours"


def past(value: float, limit: float, better: Better) -> bool:
    return value < limit if better == Better.HIGHER else value > limit


def comparison_text(comparison: Comparison | None, unit: str, better: Better) -> str:
    if comparison is None or comparison.median is None:
        return "No other area has this figure for the period to compare with."
    word = "or more" if better == Better.HIGHER else "or less"
    return (
        f"Across {comparison.areas} areas with this figure the median is {figure_text(comparison.median, unit)}; "
        f"the best quarter of areas reach {figure_text(comparison.best_quartile, unit)} {word}."
    )


def area_findings(measures: dict[str, Any], comparisons: dict[str, Comparison]) -> list[Finding]:
    """The findings the area's measures (``area_measures`` or ``headline_measures``) support."""
    findings = []
    for threshold in THRESHOLDS:
        headline = BY_KEY[threshold.headline]
        value = dig(measures, headline.path)
        base = dig(measures, headline.base)
        if (
            value is None
            or base < threshold.minimum_cases
            or not past(value, threshold.limit, headline.better)
        ):
            continue
        findings.append(
            Finding(
                headline=headline,
                value=value,
                base=base,
                sentence=threshold.finding,
                figure=threshold.figure.format(
                    value=figure_text(value, headline.unit), base=base, base_label=headline.base_label
                ),
                comparison=comparison_text(comparisons.get(headline.key), headline.unit, headline.better),
                drill=headline.drill,
            )
        )
    return findings
