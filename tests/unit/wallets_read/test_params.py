"""The wallets query inputs: RFC 3339 moments must carry their offset (a naive one is refused,
naming the field), a '+' decoded to a space is explained, days are YYYY-MM-DD, kinds are the
statement's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from query_service.wallets import params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-31T18:30:00Z", datetime(2025, 3, 31, 18, 30, tzinfo=UTC)),
        ("2025-04-01T00:00:00+05:30", datetime(2025, 3, 31, 18, 30, tzinfo=UTC)),
        ("2025-04-01t00:00:00.123456789z", datetime(2025, 4, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("2025-04-01 00:00:00.5-01:00", datetime(2025, 4, 1, 1, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_moments_with_an_offset(raw: str, expected: datetime) -> None:
    parsed = params.moment("as_of", raw)
    assert parsed == expected and parsed.utcoffset() is not None


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("2025-03-31T18:30:00", "timezone"),
        ("2025-03-31T18:30:00 05:30", "%2B"),
        ("2025-03-31", "RFC 3339"),
        ("1743445800", "RFC 3339"),
        ("2025-02-30T10:00:00Z", "not a valid"),
    ],
)
def test_refused_moments_name_the_field(raw: str, says: str) -> None:
    with pytest.raises(params.InputError) as refused:
        params.moment("as_of", raw)
    assert refused.value.field == "as_of" and says in refused.value.message


def test_days_and_kinds() -> None:
    assert params.day("date", "2025-04-01") == date(2025, 4, 1)
    for bad in ("2025-4-1", "2025-13-01", "yesterday"):
        with pytest.raises(params.InputError):
            params.day("date", bad)
    assert params.kind("kind", "TOPUP") == "TOPUP"
    with pytest.raises(params.InputError, match="TRANSFER_IN"):
        params.kind("kind", "topup")


def test_an_offset_moment_is_the_same_instant() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    assert params.moment("from", "2025-04-01T00:00:00+05:30") == datetime(2025, 4, 1, tzinfo=ist)
