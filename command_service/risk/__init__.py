"""The risk context in the command service: an analyst's review of an alert (an event on the
alert's review stream; an escalation opens the alert's STR case in the same append). Alerts are
not stored here: a review finds its alert by running the shared rules over the subject's stream."""

from command_service.handling import CommandManifest
from command_service.risk.aggregates import aggregates
from command_service.risk.handlers import HANDLERS
from command_service.risk.routes import router
from shared.risk import MANIFEST as SHARED

MANIFEST = CommandManifest(shared=SHARED, handlers=HANDLERS, routers=(router,), aggregates=aggregates)
