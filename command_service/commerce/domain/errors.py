"""The commerce context's domain errors: each says what the caller needs to fix the request."""

from dataclasses import dataclass

from shared.errors import DomainError


class ProductAlreadyExistsError(DomainError):
    pass


class ProductNotFoundError(DomainError):
    status = 404


class OrderNotFoundError(DomainError):
    status = 404


class IllegalTransitionError(DomainError):
    """The order's status does not allow this step; names what would be allowed."""

    def __init__(self, order_id: str, action: str, current: str, allowed: list[str]) -> None:
        nexts = ", ".join(allowed) or "none (final status)"
        super().__init__(
            f"cannot {action} order {order_id}: it is {current}; allowed next: {nexts}",
            order_id=order_id,
            current_status=current,
            allowed_next=allowed,
        )


class PaymentMismatchError(DomainError):
    """A payment that does not fit the order (wrong amount, or a COD order)."""


class ReturnWindowClosedError(DomainError):
    pass


class PriceUnchangedError(DomainError):
    pass


class StockInvariantError(DomainError):
    """A stock move that would make a count negative: a bug upstream, refused here."""


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
