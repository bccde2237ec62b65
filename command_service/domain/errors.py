"""Domain errors: each says what the caller needs to fix the request."""

from dataclasses import dataclass


class DomainError(Exception):
    """A command that the current state does not allow (answered with 409 or 404)."""

    status = 409

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ProductAlreadyExistsError(DomainError):
    pass


class ProductNotFoundError(DomainError):
    status = 404


class OrderNotFoundError(DomainError):
    status = 404


@dataclass(frozen=True)
class Shortage:
    sku: str
    requested: int
    available: int


class OutOfStockError(DomainError):
    def __init__(self, shortages: list[Shortage]) -> None:
        first = shortages[0]
        super().__init__(
            f"SKU {first.sku} has {first.available} available, {first.requested} requested",
            sku=first.sku,
            available=first.available,
            requested=first.requested,
            shortages=[s.__dict__ for s in shortages],
        )
