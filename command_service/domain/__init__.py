"""The pure domain: one module per aggregate. Imports only the standard library,
pydantic and `shared` (checked by import-linter)."""

from command_service.domain.errors import (
    DomainError,
    OutOfStockError,
    ProductAlreadyExistsError,
    ProductNotFoundError,
)

__all__ = ["DomainError", "OutOfStockError", "ProductAlreadyExistsError", "ProductNotFoundError"]
