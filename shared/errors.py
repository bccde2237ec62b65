"""The base of every context's domain errors: a command the current state does not allow.

Each says what the caller needs to fix the request (`detail` and named `extra` fields); the
command service answers it as problem+json with the error's `status` (409, or 404)."""


class DomainError(Exception):
    status = 409

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
