"""HTTP API of the command service: parse, dispatch, answer. No business logic here."""

from command_service.api.app import build_app

__all__ = ["build_app"]
