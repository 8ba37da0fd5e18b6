from __future__ import annotations

import pytest

from credit.uscc import (
    CHARSET,
    is_valid_uscc,
    make_uscc,
    organisation_check_digit,
    uscc_check_digit,
    uscc_error,
    uscc_with_check_digit,
)

# A published code (Beijing); its organisation code 600037341 is valid too.
REAL_CODE = "91110000600037341L"


def test_a_published_code_is_valid():
    assert uscc_error(REAL_CODE) is None
    assert is_valid_uscc(REAL_CODE)


def test_check_digits_of_the_published_code():
    assert uscc_check_digit(REAL_CODE[:17]) == "L"
    assert organisation_check_digit(REAL_CODE[8:16]) == "1"
    assert uscc_with_check_digit(REAL_CODE[:17]) == REAL_CODE


@pytest.mark.parametrize(
    ("first8", "check"),
    [
        ("60003734", "1"),
        ("00000006", "X"),  # 11 - 1 = 10 -> X
        ("00000000", "0"),  # 11 - 0 = 11 -> 0
        ("J0000000", "9"),  # GB 11714 values letters A=10..Z=35, so J=19 (not its USCC value 18)
    ],
)
def test_organisation_check_digit(first8, check):
    assert organisation_check_digit(first8) == check


@pytest.mark.parametrize("first16", ["9144030012345678", "9132010000000000", "Y1110000MA01ABCD"])
def test_make_uscc_fixes_both_check_digits(first16):
    code = make_uscc(first16)
    assert code[:16] == first16
    assert code[16] == organisation_check_digit(first16[8:])
    assert uscc_error(code) is None


def test_every_single_character_substitution_is_detected():
    for position in range(18):
        for char in CHARSET:
            if char == REAL_CODE[position]:
                continue
            mutated = REAL_CODE[:position] + char + REAL_CODE[position + 1 :]
            assert not is_valid_uscc(mutated), mutated


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "USCC is missing"),
        (None, "USCC is missing"),
        (REAL_CODE[:17], "USCC must be 18 characters long, got 17"),
        (REAL_CODE + "0", "USCC must be 18 characters long, got 19"),
    ],
)
def test_missing_or_wrong_length(code, message):
    assert uscc_error(code) == message


def test_lower_case_letters_are_refused_with_a_hint():
    message = uscc_error(REAL_CODE.lower())
    assert "'l' at position 18" in message
    assert "write letters in upper case" in message


@pytest.mark.parametrize("char", ["I", "O", "S", "V", "Z", "-", " "])
def test_characters_outside_the_charset_are_refused(char):
    code = REAL_CODE[:10] + char + REAL_CODE[11:]
    assert uscc_error(code).startswith(f"USCC has {char!r} at position 11;")


def test_administrative_division_code_must_be_digits():
    code = uscc_with_check_digit("91AB00006000373" + "41")
    assert uscc_error(code) == (
        "USCC characters 3-8 (administrative division code) must be digits: AB0000"
    )


def test_a_wrong_final_check_digit_is_reported():
    assert uscc_error(REAL_CODE[:17] + "K") == (
        "USCC check digit (character 18) does not match; check the code for a typo"
    )


def test_a_wrong_organisation_check_digit_is_reported_even_with_a_matching_final_digit():
    code = uscc_with_check_digit(REAL_CODE[:16] + "2")
    assert uscc_error(code) == (
        "USCC characters 9-17 (600037342) are not a valid organisation code: its check digit "
        "(character 17) does not match; check the code for a typo"
    )


@pytest.mark.parametrize("bad", ["9111000060003734", "91110000600037341L", "9111000060003734I"])
def test_uscc_with_check_digit_needs_17_valid_characters(bad):
    with pytest.raises(ValueError, match="expected 17 characters"):
        uscc_with_check_digit(bad)


def test_make_uscc_needs_16_characters():
    with pytest.raises(ValueError, match="expected 16 characters"):
        make_uscc("914403001234567")
