"""Scoring only the candidates worth using (``best_matches(..., at_least=)``) leaves each candidate as soon as
the comparisons left cannot lift it to the threshold: the list must be exactly the whole scoring's, cut at
the threshold."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.matching.features import match_record
from openmash.matching.model import best_matches, stored_model

# Few names, dates and postcodes, with near misses (a letter typed wrong, nicknames, swapped names, double
# family names), so that pairs fall at every level of every comparison.
GIVEN = ["Amelia", "Amelie", "Millie", "Emilia", "Oliver", "Olly", "Jack", "Jak", "Smith", ""]
FAMILY = ["Smith", "Smyth", "Jones", "Price-Elliott", "Price", "Amelia", "Oliver", ""]
BORN = [None, dt.date(2015, 3, 4), dt.date(2015, 4, 3), dt.date(2015, 3, 5), dt.date(2014, 3, 4)]
POSTCODES = [[], ["TS1 1AA"], ["TS1 1AB"], ["LS2 9JT", "TS1 1AA"]]

records = st.builds(
    match_record,
    st.sampled_from(GIVEN),
    st.sampled_from(FAMILY),
    st.sampled_from(BORN),
    st.sampled_from([None, "F", "M"]),
    st.sampled_from(POSTCODES),
)


@settings(max_examples=300, deadline=None)
@given(
    arriving=records,
    candidates=st.lists(records, min_size=1, max_size=12),
    at_least=st.sampled_from([0.01, 0.5, 0.8, 0.95, 0.999]),
)
def test_leaving_a_candidate_early_keeps_exactly_those_at_or_above_the_threshold(
    arriving, candidates, at_least
):
    model = stored_model()
    keyed = list(enumerate(candidates))
    whole = [
        (key, score) for key, score in best_matches(arriving, keyed, model) if score.probability >= at_least
    ]
    assert best_matches(arriving, keyed, model, at_least=at_least) == whole


def test_a_stranger_is_left_and_a_near_match_kept():
    model = stored_model()
    amelia = match_record("Amelia", "Smith", dt.date(2015, 3, 4), "F", ["TS1 1AA"])
    typed = match_record("Amelie", "Smith", dt.date(2015, 3, 4), "F", ["TS1 1AA"])
    stranger = match_record("Oliver", "Jones", dt.date(2009, 7, 1), "M", ["LS2 9JT"])
    kept = best_matches(amelia, [("typed", typed), ("stranger", stranger)], model, at_least=0.5)
    assert [key for key, _score in kept] == ["typed"]
