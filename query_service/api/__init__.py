"""HTTP API of the query service: the generic parts every context's routes use (dependencies,
HTTP conventions, consistency waits, list paging) and the fast path for plain reads."""

from query_service.api.app import build_app

__all__ = ["build_app"]
