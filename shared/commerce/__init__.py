"""The commerce context (Flipkart-style orders, products and stock), as every service sees it:
its events, stream types and read models. Orders and products are one context because placing
an order reserves stock in the same transaction."""

from shared.commerce.events import EVENT_TYPES, UPCASTERS
from shared.commerce.read_models import READ_MODELS
from shared.commerce.streams import ORDER, PRODUCT
from shared.manifest import ContextManifest

MANIFEST = ContextManifest(
    name="commerce",
    events=EVENT_TYPES,
    upcasters=UPCASTERS,
    stream_types=(ORDER, PRODUCT),
    read_models=READ_MODELS,
)
