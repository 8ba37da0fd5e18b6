"""Validate unified social credit codes (统一社会信用代码, GB 32100-2015).

An 18-character code: registration authority (1), entity type (1), administrative division (6),
organisation code (9, GB 11714, with its own check digit in character 17) and a final check
digit (character 18).
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DIGITS = "0123456789"
_VALUES = {char: value for value, char in enumerate(CHARSET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_error(code: str) -> str | None:
    """Return why ``code`` is not a valid unified social credit code, or None if it is."""
    if not isinstance(code, str) or not code:
        return "USCC is missing"
    if len(code) != 18:
        return f"USCC must be 18 characters long, got {len(code)}"
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            hint = "; write letters in upper case" if char.upper() in _VALUES else ""
            return (
                f"USCC has {char!r} at position {position}; allowed are digits and the letters "
                f"{CHARSET[10:]} (no I, O, S, V, Z){hint}"
            )
    if any(char not in _DIGITS for char in code[2:8]):
        return f"USCC characters 3-8 (administrative division code) must be digits: {code[2:8]}"
    if code[17] != uscc_check_digit(code[:17]):
        return "USCC check digit (character 18) does not match; check the code for a typo"
    if code[16] != organisation_check_digit(code[8:16]):
        return (
            f"USCC characters 9-17 ({code[8:17]}) are not a valid organisation code: "
            "its check digit (character 17) does not match; check the code for a typo"
        )
    return None


def is_valid_uscc(code: str) -> bool:
    """Tell whether ``code`` is a valid unified social credit code."""
    return uscc_error(code) is None


def uscc_check_digit(first17: str) -> str:
    """Return the GB 32100 check digit (character 18) for the first 17 characters."""
    _require(first17, 17)
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_digit(first8: str) -> str:
    """Return the GB 11714 check digit for the first 8 characters of an organisation code."""
    _require(first8, 8)
    total = sum(
        _organisation_value(char) * weight
        for char, weight in zip(first8, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_with_check_digit(first17: str) -> str:
    """Append the final check digit to 17 characters (the organisation code is not fixed)."""
    return first17 + uscc_check_digit(first17)


def make_uscc(first16: str) -> str:
    """Complete 16 characters into a valid USCC by adding both check digits (17 and 18)."""
    _require(first16, 16)
    return uscc_with_check_digit(first16 + organisation_check_digit(first16[8:]))


def _organisation_value(char: str) -> int:
    # GB 11714 values letters by their place in the full alphabet (A=10 ... Z=35).
    return int(char) if char in _DIGITS else ord(char) - ord("A") + 10


def _require(chars: str, length: int) -> None:
    if len(chars) != length or any(char not in _VALUES for char in chars):
        raise ValueError(f"expected {length} characters from {CHARSET}, got {chars!r}")
