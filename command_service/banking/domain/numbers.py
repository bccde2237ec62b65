"""Account numbers: 14 digits (`shared.banking.values.ACCOUNT_NUMBER_DIGITS`), "7" (this bank's
leading digit) + 12 digits derived from the account id + a Luhn check digit, so a mistyped
digit or two swapped neighbours is caught before any money moves.

Derived, not random: the same account id always proposes the same candidates (`candidate(id,
n)` for n = 0, 1, ...), so a retried opening proposes the same number again. Unique because the
number is claimed in the store (`shared.banking.streams.number_stream_id`) in the opening's own
append: a candidate claimed by another account is skipped for the next one.
"""

from __future__ import annotations

import hashlib

from shared.banking.values import ACCOUNT_NUMBER_DIGITS

LEADING_DIGIT = "7"
CANDIDATES = 16
"""How many candidates an opening tries before giving up (the first is free but for a
one-in-10^12 collision)."""
_BODY_DIGITS = ACCOUNT_NUMBER_DIGITS - len(LEADING_DIGIT) - 1


def luhn_digit(digits: str) -> str:
    """The check digit that makes `digits` + it pass the Luhn test."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: these become the odd positions once the check digit follows
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def candidate(account_id: str, attempt: int) -> str:
    digest = hashlib.sha256(f"{account_id}:{attempt}".encode()).digest()
    body = LEADING_DIGIT + f"{int.from_bytes(digest[:8], 'big') % 10**_BODY_DIGITS:0{_BODY_DIGITS}d}"
    return body + luhn_digit(body)
