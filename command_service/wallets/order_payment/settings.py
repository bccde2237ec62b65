"""The order-payment manager's own settings (environment prefix `BAHI_`), read once when it is built."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.streams import ID_PATTERN


class OrderPaymentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    # the merchant the wallet pays for orders (its holds, captures and settlements carry it)
    wallet_order_merchant_id: str = Field(default="bahi-commerce", pattern=ID_PATTERN)
