"""The upi context's settings (environment prefix `BAHI_`), read once by a composition root."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UpiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    # Bahi's psp handle: VPAs `handle@<this>` are registered here; any other psp is another bank's
    upi_psp: str = Field(default="bahi", pattern=r"^[a-z][a-z0-9]{1,29}$")
    # a snapshot every N events per VPA (0: never); see command_service/handling/loading.py
    snapshot_every_vpa: int = Field(default=200, ge=0)
    # after the switch's timeout, how long the reversal process manager waits (a status check)
    # before reversing the payment; never past its T+1 deadline (the rule is the policy's rows)
    upi_reversal_delay_seconds: float = Field(default=0.0, ge=0, le=86_400)
    # the simulated switch's time per payment (0: none); tests use it to catch a run under way
    upi_switch_pace_seconds: float = Field(default=0.0, ge=0, le=10)
