"""The relay: publishes committed events from PostgreSQL to Kafka in commit order, never skipping one."""

from command_service.relay.feed import Checkpoint, CommittedFeed
from command_service.relay.relay import Relay

__all__ = ["Checkpoint", "CommittedFeed", "Relay"]
