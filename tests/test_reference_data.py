"""Checks on the UK public-body reference data shipped in openmash/organisations/data/.

Pure pytest over the csv module: no Django, no database. See the data folder's SOURCES.md for where each
file comes from and what date it reflects.
"""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "openmash" / "organisations" / "data"


def read(name: str, header: list[str]) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == header, f"{name} has columns {reader.fieldnames}"
        rows = list(reader)
    for row in rows:
        for key, value in row.items():
            assert value is not None and value == value.strip() and value, f"{name}: bad {key} in {row}"
    return rows


COUNCILS = read("councils.csv", ["gss_code", "name", "la_number", "nation", "kind"])
DISTRICTS = read("districts.csv", ["gss_code", "name", "county_gss_code"])
FORCES = read("police_forces.csv", ["gss_code", "name", "nation"])
FORCE_COUNCILS = read("police_force_councils.csv", ["police_gss_code", "council_gss_code"])
REGIONS = read("nhs_regions.csv", ["code", "ods_code", "name"])
ICBS = read("integrated_care_boards.csv", ["gss_code", "ods_code", "name", "region_code"])

COUNCIL_BY_CODE = {row["gss_code"]: row for row in COUNCILS}
COUNCIL_BY_NAME = {row["name"]: row for row in COUNCILS}
FORCE_BY_CODE = {row["gss_code"]: row for row in FORCES}
FORCE_OF_COUNCIL = {row["council_gss_code"]: row["police_gss_code"] for row in FORCE_COUNCILS}

# GSS prefix -> the council kind it must carry.
KIND_BY_PREFIX = {
    "E06": "unitary",
    "E08": "metropolitan-district",
    "E09": "london-borough",
    "E10": "county",
    "W06": "unitary",
}


def assert_unique(values: list[str], what: str) -> None:
    duplicates = [value for value, count in Counter(values).items() if count > 1]
    assert not duplicates, f"duplicate {what}: {duplicates}"


# --- councils ----------------------------------------------------------------------------------------


def test_council_counts_by_nation():
    nations = Counter(row["nation"] for row in COUNCILS)
    assert nations == {"england": 153, "wales": 22}


def test_council_counts_by_kind():
    kinds = Counter((row["nation"], row["kind"]) for row in COUNCILS)
    assert kinds == {
        ("england", "unitary"): 63,
        ("england", "metropolitan-district"): 36,
        ("england", "london-borough"): 33,
        ("england", "county"): 21,
        ("wales", "unitary"): 22,
    }


def test_council_codes_unique_and_well_formed():
    assert_unique([row["gss_code"] for row in COUNCILS], "council GSS codes")
    assert_unique([row["name"] for row in COUNCILS], "council names")
    for row in COUNCILS:
        code = row["gss_code"]
        assert re.fullmatch(r"(E06|E08|E09|E10|W06)\d{6}", code), code
        assert row["kind"] == KIND_BY_PREFIX[code[:3]], row
        assert row["nation"] == ("england" if code.startswith("E") else "wales"), row


def test_la_numbers_unique_three_digits():
    assert_unique([row["la_number"] for row in COUNCILS], "LA numbers")
    for row in COUNCILS:
        assert re.fullmatch(r"\d{3}", row["la_number"]), row
        if row["nation"] == "wales":
            # Welsh Government LA codes used in its statistical returns run 660-681.
            assert 660 <= int(row["la_number"]) <= 681, row
        else:
            assert row["la_number"][0] in "2389" or row["la_number"] == "420", row


def test_welsh_la_numbers_cover_the_whole_range():
    welsh = sorted(int(row["la_number"]) for row in COUNCILS if row["nation"] == "wales")
    assert welsh == list(range(660, 682))


@pytest.mark.parametrize(
    "code, name, la_number, kind",
    [
        ("E08000002", "Bury", "351", "metropolitan-district"),
        ("E06000035", "Medway", "887", "unitary"),
        ("E08000015", "Wirral", "344", "metropolitan-district"),
        ("E06000039", "Slough", "871", "unitary"),
        ("E09000006", "Bromley", "305", "london-borough"),
        ("E06000031", "Peterborough", "874", "unitary"),
        ("E10000032", "West Sussex", "938", "county"),
        ("E08000017", "Doncaster", "371", "metropolitan-district"),
        ("E06000033", "Southend-on-Sea", "882", "unitary"),
        ("E06000027", "Torbay", "880", "unitary"),
        ("E09000032", "Wandsworth", "212", "london-borough"),
        ("E06000004", "Stockton-on-Tees", "808", "unitary"),
        ("E06000059", "Dorset", "838", "unitary"),
        ("E06000058", "Bournemouth, Christchurch and Poole", "839", "unitary"),
        ("E06000063", "Cumberland", "942", "unitary"),
        ("E06000064", "Westmorland and Furness", "943", "unitary"),
        ("E06000065", "North Yorkshire", "815", "unitary"),
        ("E06000066", "Somerset", "933", "unitary"),
        ("E06000053", "Isles of Scilly", "420", "unitary"),
        ("E09000001", "City of London", "201", "london-borough"),
        ("E06000010", "Kingston upon Hull, City of", "810", "unitary"),
        ("E06000019", "Herefordshire, County of", "884", "unitary"),
        ("E06000023", "Bristol, City of", "801", "unitary"),
        ("W06000001", "Isle of Anglesey", "660", "unitary"),
        ("W06000015", "Cardiff", "681", "unitary"),
    ],
)
def test_known_councils(code, name, la_number, kind):
    row = COUNCIL_BY_CODE[code]
    assert (row["name"], row["la_number"], row["kind"]) == (name, la_number, kind)


def test_abolished_councils_are_absent():
    # Cumbria, North Yorkshire and Somerset county councils (April 2023), Northamptonshire (April 2021),
    # Buckinghamshire (April 2020), Dorset (April 2019); Barnsley and Sheffield recoded in April 2025.
    for code in [
        "E10000006",
        "E10000023",
        "E10000027",
        "E10000021",
        "E10000002",
        "E10000009",
        "E08000016",
        "E08000019",
    ]:
        assert code not in COUNCIL_BY_CODE, code


# --- districts ---------------------------------------------------------------------------------------


def test_districts_well_formed():
    assert len(DISTRICTS) == 164
    assert_unique([row["gss_code"] for row in DISTRICTS], "district GSS codes")
    for row in DISTRICTS:
        assert re.fullmatch(r"E07\d{6}", row["gss_code"]), row


def test_every_district_county_is_a_county_council():
    for row in DISTRICTS:
        county = COUNCIL_BY_CODE.get(row["county_gss_code"])
        assert county is not None, row
        assert county["kind"] == "county", row


def test_every_county_has_districts():
    counties = {row["gss_code"] for row in COUNCILS if row["kind"] == "county"}
    with_districts = {row["county_gss_code"] for row in DISTRICTS}
    assert counties == with_districts


@pytest.mark.parametrize(
    "district, county",
    [
        ("Crawley", "West Sussex"),
        ("Maidstone", "Kent"),
        ("Basildon", "Essex"),
        ("St Albans", "Hertfordshire"),
    ],
)
def test_known_districts(district, county):
    by_name = {row["name"]: row for row in DISTRICTS}
    assert COUNCIL_BY_CODE[by_name[district]["county_gss_code"]]["name"] == county


# --- police ------------------------------------------------------------------------------------------


def test_forty_three_forces():
    assert len(FORCES) == 43
    assert_unique([row["gss_code"] for row in FORCES], "force GSS codes")
    assert_unique([row["name"] for row in FORCES], "force names")
    assert Counter(row["nation"] for row in FORCES) == {"england": 39, "wales": 4}
    for row in FORCES:
        assert re.fullmatch(r"E23\d{6}|W15\d{6}", row["gss_code"]), row
        assert row["nation"] == ("england" if row["gss_code"].startswith("E") else "wales"), row


def test_every_council_has_exactly_one_force():
    assert_unique([row["council_gss_code"] for row in FORCE_COUNCILS], "council rows in the force map")
    assert set(FORCE_OF_COUNCIL) == set(COUNCIL_BY_CODE)
    assert set(FORCE_OF_COUNCIL.values()) <= set(FORCE_BY_CODE)


def test_every_force_covers_a_council():
    assert set(FORCE_OF_COUNCIL.values()) == set(FORCE_BY_CODE)


def test_forces_do_not_cross_the_border():
    for council_code, force_code in FORCE_OF_COUNCIL.items():
        assert COUNCIL_BY_CODE[council_code]["nation"] == FORCE_BY_CODE[force_code]["nation"], council_code


@pytest.mark.parametrize(
    "council, force_code, force",
    [
        ("City of London", "E23000034", "City of London Police"),
        ("Bromley", "E23000001", "Metropolitan Police Service"),
        ("Wandsworth", "E23000001", "Metropolitan Police Service"),
        ("Stockton-on-Tees", "E23000013", "Cleveland Police"),
        ("Bury", "E23000005", "Greater Manchester Police"),
        ("Torbay", "E23000035", "Devon and Cornwall Police"),
        ("Southend-on-Sea", "E23000028", "Essex Police"),
        ("Medway", "E23000032", "Kent Police"),
        ("Wirral", "E23000004", "Merseyside Police"),
        ("Slough", "E23000029", "Thames Valley Police"),
        ("Peterborough", "E23000023", "Cambridgeshire Constabulary"),
        ("West Sussex", "E23000033", "Sussex Police"),
        ("Doncaster", "E23000011", "South Yorkshire Police"),
        ("Dorset", "E23000039", "Dorset Police"),
        ("Cumberland", "E23000002", "Cumbria Constabulary"),
        ("Westmorland and Furness", "E23000002", "Cumbria Constabulary"),
        ("North Yorkshire", "E23000009", "North Yorkshire Police"),
        ("Somerset", "E23000036", "Avon and Somerset Constabulary"),
        ("Isles of Scilly", "E23000035", "Devon and Cornwall Police"),
        ("Cardiff", "W15000003", "South Wales Police"),
        ("Isle of Anglesey", "W15000001", "North Wales Police"),
    ],
)
def test_known_council_forces(council, force_code, force):
    force_of_council = FORCE_OF_COUNCIL[COUNCIL_BY_NAME[council]["gss_code"]]
    assert force_of_council == force_code
    assert FORCE_BY_CODE[force_code]["name"] == force


def test_london_boroughs_are_metropolitan_except_the_city():
    for row in COUNCILS:
        if row["kind"] == "london-borough":
            expected = "E23000034" if row["gss_code"] == "E09000001" else "E23000001"
            assert FORCE_OF_COUNCIL[row["gss_code"]] == expected, row


# --- NHS ---------------------------------------------------------------------------------------------


def test_seven_nhs_regions():
    assert len(REGIONS) == 7
    assert_unique([row["code"] for row in REGIONS], "region codes")
    assert_unique([row["ods_code"] for row in REGIONS], "region ODS codes")
    for row in REGIONS:
        assert re.fullmatch(r"E40\d{6}", row["code"]), row
        assert re.fullmatch(r"Y\d{2}", row["ods_code"]), row


def test_integrated_care_boards():
    assert len(ICBS) == 42
    assert_unique([row["gss_code"] for row in ICBS], "ICB GSS codes")
    assert_unique([row["ods_code"] for row in ICBS], "ICB ODS codes")
    assert_unique([row["name"] for row in ICBS], "ICB names")
    regions = {row["code"] for row in REGIONS}
    for row in ICBS:
        assert re.fullmatch(r"E54\d{6}", row["gss_code"]), row
        assert re.fullmatch(r"Q[A-Z0-9]{2}", row["ods_code"]), row
        assert row["region_code"] in regions, row
        assert row["name"].startswith("NHS ") and row["name"].endswith(" Integrated Care Board"), row
    assert {row["region_code"] for row in ICBS} == regions


@pytest.mark.parametrize(
    "ods_code, gss_code, region",
    [
        ("QE1", "E54000048", "North West"),
        ("QOP", "E54000057", "North West"),
        ("QHM", "E54000050", "North East and Yorkshire"),
        ("QRV", "E54000027", "London"),
        ("QKS", "E54000032", "South East"),
        ("QT6", "E54000036", "South West"),
        ("QUE", "E54000056", "East of England"),
        ("QUA", "E54000062", "Midlands"),
    ],
)
def test_known_icbs(ods_code, gss_code, region):
    row = {row["ods_code"]: row for row in ICBS}[ods_code]
    region_names = {row["code"]: row["name"] for row in REGIONS}
    assert row["gss_code"] == gss_code
    assert region_names[row["region_code"]] == region
