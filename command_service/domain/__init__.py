"""The pure domain: one module per aggregate. Imports only the standard library,
pydantic and `shared` (checked by import-linter)."""

from command_service.domain.errors import (
    DomainError,
    IllegalTransitionError,
    OrderNotFoundError,
    OutOfStockError,
    PaymentMismatchError,
    PriceUnchangedError,
    ProductAlreadyExistsError,
    ProductNotFoundError,
    ReturnWindowClosedError,
    StockInvariantError,
)
from command_service.domain.order_status import TRANSITIONS, OrderStatus

__all__ = [
    "TRANSITIONS",
    "DomainError",
    "IllegalTransitionError",
    "OrderNotFoundError",
    "OrderStatus",
    "OutOfStockError",
    "PaymentMismatchError",
    "PriceUnchangedError",
    "ProductAlreadyExistsError",
    "ProductNotFoundError",
    "ReturnWindowClosedError",
    "StockInvariantError",
]
