"""A payment's consistency token names its payer VPA's stream (`upi-vpa-<handle>@<psp>`): the
query service reads it like any other token."""

from __future__ import annotations

import pytest

from query_service.api.consistency import TokenError, parse_token


def test_a_token_of_a_vpa_stream_is_read() -> None:
    assert parse_token("upi-vpa-asha.rao_1-x@bahi:2:10") == ("upi-vpa-asha.rao_1-x@bahi", 2)


@pytest.mark.parametrize("token", ["upi-vpa-asha@bahi:2", "@bahi:1:1", "upi vpa@bahi:1:1"])
def test_other_tokens_are_refused(token: str) -> None:
    with pytest.raises(TokenError):
        parse_token(token)
