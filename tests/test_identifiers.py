"""NHS number and UPN validation: known values, and properties over every possible number."""

from hypothesis import given
from hypothesis import strategies as st

from openmash.lib.identifiers import (
    UPN_ALPHABET,
    nhs_number_check_digit,
    nhs_number_problem,
    normalise,
    upn_check_letter,
    upn_problem,
)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def test_known_nhs_numbers():
    # 943 476 5919 is the NHS Data Dictionary's worked example.
    assert nhs_number_problem("943 476 5919") is None
    assert nhs_number_problem("9434765918") == "Enter a real NHS number: the check digit does not match"
    assert nhs_number_problem("94347659") == "Enter an NHS number with 10 digits, like 943 476 5919"
    assert nhs_number_problem("943476591X") is not None


def test_numbers_of_one_digit_are_refused_though_their_check_digit_matches():
    # 0000000000, 1111111111, ... pass the modulus 11 check but are never issued: placeholders for "unknown".
    for digit in "0123456789":
        number = digit * 10
        if nhs_number_check_digit(number[:9]) == int(digit):
            assert nhs_number_problem(number) == "Enter a real NHS number: leave it blank if it is not known"
    assert nhs_number_problem("0000000000") is not None


def test_a_remainder_of_ten_has_no_valid_check_digit():
    # 1,2,3,...: weights 10..2 give 1*10+2*9+...; find a prefix whose check would be 10 and show it is refused.
    prefix = next(f"{n:09d}" for n in range(10**6) if nhs_number_check_digit(f"{n:09d}") is None)
    assert all(nhs_number_problem(prefix + str(digit)) is not None for digit in range(10))


@given(nine_digits)
def test_exactly_one_or_no_check_digit_is_accepted(first_nine):
    accepted = [digit for digit in range(10) if nhs_number_problem(f"{first_nine}{digit}") is None]
    check = nhs_number_check_digit(first_nine)
    never_issued = check is not None and len(set(f"{first_nine}{check}")) == 1
    assert accepted == ([] if check is None or never_issued else [check])


@given(nine_digits, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_any_single_digit_mistake_is_caught(first_nine, position, change):
    check = nhs_number_check_digit(first_nine)
    if check is None:
        return
    number = list(f"{first_nine}{check}")
    number[position] = str((int(number[position]) + change) % 10)
    assert nhs_number_problem("".join(number)) is not None


@given(nine_digits)
def test_spaces_and_hyphens_do_not_matter(first_nine):
    check = nhs_number_check_digit(first_nine)
    if check is None or len(set(f"{first_nine}{check}")) == 1:
        return
    plain = f"{first_nine}{check}"
    spaced = f"{plain[:3]} {plain[3:6]}-{plain[6:]}"
    assert normalise(spaced) == plain
    assert nhs_number_problem(spaced) is None


def test_known_upns():
    # Worked from the DfE specification: weights 2..13 on characters 2..13, remainder mod 23 indexes A-Z less I, O, S.
    body = "801200001001"
    total = sum(weight * int(char) for weight, char in zip(range(2, 14), body, strict=True))
    assert upn_check_letter(body) == UPN_ALPHABET[total % 23]
    assert upn_problem(UPN_ALPHABET[total % 23] + body) is None
    wrong = UPN_ALPHABET[(total + 1) % 23]
    assert upn_problem(wrong + body) == "Enter a real unique pupil number: the check letter does not match"
    assert upn_problem("A12345") is not None
    assert upn_problem("I" + body) is not None  # I, O and S are never check letters


upn_bodies = st.builds(
    lambda digits, last: digits + last,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(list("0123456789" + UPN_ALPHABET)),
)


@given(upn_bodies)
def test_every_upn_body_has_exactly_one_check_letter(body):
    accepted = [letter for letter in UPN_ALPHABET if upn_problem(letter + body) is None]
    assert accepted == [upn_check_letter(body)]


@given(upn_bodies, st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_a_single_digit_mistake_in_a_upn_is_caught(body, position, change):
    upn = upn_check_letter(body) + body
    chars = list(upn)
    chars[position + 1] = str((int(chars[position + 1]) + change) % 10)
    assert upn_problem("".join(chars)) is not None
