"""The wallets context's projections, all fed by the wallet streams: the wallet view (balances,
holds, limits headroom), the statement (one document per movement), the balance history
("balance as of T") and the merchants' settlements per IST day."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.wallets.balance_history import WALLET_BALANCE_HISTORY_VIEW
from projector_service.projections.wallets.settlements import MERCHANT_SETTLEMENTS_VIEW
from projector_service.projections.wallets.statement import WALLET_STATEMENT_VIEW
from projector_service.projections.wallets.wallet_view import WALLET_VIEW_PROJECTION
from shared.wallets import MANIFEST as SHARED

MANIFEST = ProjectorManifest(
    shared=SHARED,
    projections=(WALLET_VIEW_PROJECTION, WALLET_STATEMENT_VIEW, WALLET_BALANCE_HISTORY_VIEW, MERCHANT_SETTLEMENTS_VIEW),
)

__all__ = ["MANIFEST"]
