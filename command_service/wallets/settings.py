"""The wallets context's settings (environment prefix `BAHI_`), read once by a composition root."""

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.streams import ID_PATTERN


class WalletSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    # an uncaptured hold expires this long after it was placed
    hold_timeout_seconds: float = Field(default=600.0, gt=0)
    # a snapshot every N events per wallet (0: never); see command_service/handling/loading.py
    snapshot_every_wallet: int = Field(default=100, ge=0)
    # the merchant the wallet pays for orders (its holds, captures and settlements carry it)
    wallet_order_merchant_id: str = Field(default="bahi-commerce", pattern=ID_PATTERN)

    @property
    def hold_timeout(self) -> timedelta:
        return timedelta(seconds=self.hold_timeout_seconds)
