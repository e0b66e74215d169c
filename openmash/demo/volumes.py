"""How much happens in a year, nationally and in one area: the volumes generated data is drawn to.

From ../shared/domain.md section 6 (England, latest years) where it gives a figure; the rest are assumptions,
marked so, of the same order as the published figures they sit beside. An area's share of a national volume is
its share of England's children (mid-2015 ONS estimates of the population aged 0-17, in thousands, rounded).
"""

from dataclasses import dataclass

# England's children aged 0-17, mid-2015 (ONS), in thousands.
ENGLAND_CHILDREN_THOUSANDS = 11_700


@dataclass(frozen=True)
class Volume:
    name: str
    per_year: int
    source: str


NATIONAL: dict[str, Volume] = {
    volume.name: volume
    for volume in (
        Volume(
            "domestic_abuse_notifications",
            1_500_000,
            "domain.md section 6: police-recorded domestic-abuse incidents and crimes, England and Wales (2021); "
            "a busy day about 5,000 notifications",
        ),
        Volume("missing_episodes", 87_000, "domain.md section 6: missing-from-care incidents a year"),
        Volume("strategy_discussions", 230_000, "domain.md section 6: s47 enquiries a year"),
        Volume("initial_conferences", 72_000, "domain.md section 6: initial conferences a year"),
        Volume(
            "pre_birth_conferences",
            6_000,
            "assumption: not in domain.md section 6; about one conference in twelve is about an unborn baby",
        ),
        Volume("police_protection", 20_000, "assumption: not in domain.md section 6"),
        Volume("joint_visits", 40_000, "assumption: not in domain.md section 6"),
        Volume(
            "vetting_requests",
            60_000,
            "assumption: the foster-carer and adopter share of the 3 million checks through police local "
            "checks (domain.md section 6)",
        ),
        Volume("investigation_closures", 20_000, "assumption: not in domain.md section 6"),
    )
}


def area_share(children_thousands: float) -> float:
    return children_thousands / ENGLAND_CHILDREN_THOUSANDS


def area_volume(name: str, children_thousands: float, scale: float, floor: int = 0) -> int:
    """The number of ``name`` in a year for an area of this size, scaled down by ``scale`` (0 < scale <= 1),
    at least ``floor`` (so a small area at a small scale still has enough to measure)."""
    return max(floor, round(NATIONAL[name].per_year * area_share(children_thousands) * scale))
