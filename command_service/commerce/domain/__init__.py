"""The pure domain: one module per aggregate. Imports only the standard library,
pydantic and `shared` (checked by import-linter)."""

from command_service.commerce.domain.errors import (
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
from command_service.commerce.domain.order_status import TRANSITIONS, OrderStatus
from shared.errors import DomainError

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
