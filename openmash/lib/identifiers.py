"""National identifiers: validation and normal forms. Framework-free.

NHS number: 10 digits, the last a modulus 11 check digit over the first nine with weights 10 down to 2
(a remainder giving 11 becomes 0; 10 means the number is invalid). NHS Data Dictionary.

Some numbers pass the check but are never issued: ten of the same digit (0000000000 passes the check, and
so do 1111111111, 2222222222, ...). Those are refused as placeholders typed for an unknown number.

Unique pupil number: 13 characters, a check letter first. Characters 2 to 13 are weighted 2 to 13, summed,
and the remainder modulo 23 picks the check letter from A-Z without I, O and S. Character 13 may itself be
a letter in a temporary UPN, and then counts as that letter's position in the same alphabet.
DfE, "Unique pupil numbers (UPN): guidance for schools and local authorities".
"""

import re

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_UPN_SHAPE = re.compile(rf"^[{UPN_ALPHABET}][0-9]{{11}}[0-9{UPN_ALPHABET}]$")
_NHS_SHAPE = re.compile(r"^[0-9]{10}$")


def normalise(value: str) -> str:
    """Upper case, spaces and hyphens removed: how people type identifiers is not what they mean."""
    return re.sub(r"[\s-]", "", value or "").upper()


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None where no valid check digit exists."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid NHS number, or None if it is."""
    number = normalise(value)
    if not _NHS_SHAPE.match(number):
        return "Enter an NHS number with 10 digits, like 943 476 5919"
    if nhs_number_check_digit(number[:9]) != int(number[9]):
        return "Enter a real NHS number: the check digit does not match"
    if len(set(number)) == 1:
        return "Enter a real NHS number: leave it blank if it is not known"
    return None


def upn_check_letter(last_twelve: str) -> str:
    total = 0
    for weight, char in enumerate(last_twelve, start=2):
        total += weight * (int(char) if char.isdigit() else UPN_ALPHABET.index(char))
    return UPN_ALPHABET[total % 23]


def upn_problem(value: str) -> str | None:
    """Why ``value`` is not a valid unique pupil number, or None if it is."""
    upn = normalise(value)
    if not _UPN_SHAPE.match(upn):
        return "Enter a unique pupil number with 13 characters: a letter, 11 digits, then a digit or letter"
    if upn_check_letter(upn[1:]) != upn[0]:
        return "Enter a real unique pupil number: the check letter does not match"
    return None
