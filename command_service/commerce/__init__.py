"""The commerce context in the command service: products and stock, orders, the payment saga."""

from command_service.commerce import payment_saga
from command_service.commerce.aggregates import aggregates, dependencies
from command_service.commerce.handlers import HANDLERS
from command_service.commerce.routes import router
from command_service.commerce.settings import CommerceSettings
from command_service.handling import CommandManifest
from shared.commerce import MANIFEST as SHARED

MANIFEST = CommandManifest(
    shared=SHARED,
    handlers=HANDLERS,
    routers=(router,),
    settings=CommerceSettings,
    aggregates=aggregates,
    dependencies=dependencies,
    process_managers=(payment_saga.SPEC,),
)
