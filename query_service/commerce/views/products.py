"""The product (stock) view as the API shows it, one SKU or a filtered list by SKU."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import DocumentLoader, Page, PageQuery, decode_cursor, fetch_page
from shared.commerce.read_models import PRODUCT_VIEW
from shared.read_models import CollectionResolver


class ProductView(BaseModel):
    sku: str
    name: str
    category: str
    price_paise: int
    on_hand: int
    reserved: int
    available: int
    version: int


_LIST_FIELDS = {name: 1 for name in ProductView.model_fields}


async def get_product(loader: DocumentLoader, sku: str) -> ProductView | None:
    doc = await loader.get(PRODUCT_VIEW, sku)
    return ProductView.model_validate(doc) if doc else None


async def list_products(
    db: AsyncDatabase[Any],
    resolver: CollectionResolver,
    *,
    category: str | None,
    in_stock: bool | None,
    limit: int,
    cursor: str | None,
) -> Page:
    query: dict[str, Any] = {}
    if category is not None:
        query["category"] = category
    if in_stock is not None:
        query["in_stock"] = in_stock
    if cursor:
        query["_id"] = {"$gt": decode_cursor(cursor)}
    index = {(True, True): "by_category_in_stock", (True, False): "by_category", (False, True): "by_in_stock"}.get(
        (category is not None, in_stock is not None), "_id_"
    )
    collection = db[await resolver.live(PRODUCT_VIEW)]
    page = await fetch_page(collection, PageQuery(query, "_id", False, index, limit), _LIST_FIELDS)
    return Page(items=[{k: v for k, v in d.items() if k != "_id"} for d in page.items], next_cursor=page.next_cursor)
