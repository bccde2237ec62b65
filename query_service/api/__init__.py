"""HTTP API of the query service."""

from query_service.api.app import build_app

__all__ = ["build_app"]
