"""The commerce context's settings (environment prefix `BAHI_`), read once by a composition root."""

from datetime import timedelta

from pydantic_settings import BaseSettings, SettingsConfigDict

from command_service.commerce.domain.order_lifecycle import DEFAULT_RETURN_WINDOW


class CommerceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    return_window_days: float = DEFAULT_RETURN_WINDOW / timedelta(days=1)
    # a snapshot every N events per aggregate type (0: never); see command_service/handling/loading.py
    snapshot_every_product: int = 100
    snapshot_every_order: int = 50
    # the payment saga: a prepaid order not paid within this is cancelled
    payment_timeout_seconds: float = 900.0

    @property
    def return_window(self) -> timedelta:
        return timedelta(days=self.return_window_days)
