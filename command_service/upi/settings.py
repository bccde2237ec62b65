"""The upi context's settings (environment prefix `BAHI_`), read once by a composition root."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UpiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    # Bahi's psp handle: VPAs `handle@<this>` are registered here; any other psp is another bank's
    upi_psp: str = Field(default="bahi", pattern=r"^[a-z][a-z0-9]{1,29}$")
    # a snapshot every N events per VPA (0: never); see command_service/handling/loading.py
    snapshot_every_vpa: int = Field(default=200, ge=0)
