"""The compliance context in the command service: a month's CTR filed. STR cases are opened by
the risk context's escalation (in the same append as the review)."""

from command_service.compliance.handlers import HANDLERS
from command_service.compliance.routes import router
from command_service.handling import CommandManifest
from shared.compliance import MANIFEST as SHARED

MANIFEST = CommandManifest(shared=SHARED, handlers=HANDLERS, routers=(router,))
