"""The product (stock) view as the API shows it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.read_models import PRODUCT_VIEW, CollectionResolver


class ProductView(BaseModel):
    sku: str
    name: str
    category: str
    price_paise: int
    on_hand: int
    reserved: int
    available: int
    version: int


async def get_product(db: AsyncDatabase[Any], resolver: CollectionResolver, sku: str) -> ProductView | None:
    doc = await db[await resolver.live(PRODUCT_VIEW)].find_one({"_id": sku})
    return ProductView.model_validate(doc) if doc else None
