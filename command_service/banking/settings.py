"""The banking context's settings (environment prefix `BAHI_`), read once by a composition root."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BankingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    # a snapshot every N events per account (0: never); see command_service/handling/loading.py
    snapshot_every_account: int = Field(default=100, ge=0)
    # NEFT batches every N seconds from 00:00 IST; 0: the policy row's (half-hourly). Demos and
    # tests shorten it: the rule is the row, this only runs the simulated clearing faster.
    neft_batch_seconds: float = Field(default=0.0, ge=0)
    # the simulated clearing's time per transfer of a batch (0: none); tests use it to catch a
    # batch under way
    settlement_pace_seconds: float = Field(default=0.0, ge=0, le=10)
