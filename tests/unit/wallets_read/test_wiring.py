"""The wallets read side plugs into the generic machinery: the projector's registry takes its four
projections (each writing a declared read model, with its indexes), the query registry its
routes and plain read, and the API documents every route with its parameters; the projected
wallet document is what the API's view model reads."""

from __future__ import annotations

from projector_service.projections import wallets as projections
from query_service import commerce, wallets
from query_service.app import create_app
from query_service.registry import QueryRegistry
from query_service.settings import Settings
from query_service.wallets.views import WalletView
from shared.wallets.read_models import READ_MODELS
from tests.support.wallet_views import Book, project, registry, rupees


def test_the_projector_registry_takes_every_wallets_projection() -> None:
    names = {projection.name for projection in projections.MANIFEST.projections}
    assert names == {model.name for model in READ_MODELS}
    assert names <= set(registry().projections) and names <= set(registry().indexes)
    assert [p.name for p in projections.MANIFEST.projections if p.multi_stream] == ["merchant_settlements"]


def test_the_api_documents_the_wallets_routes() -> None:
    query_registry = QueryRegistry([commerce.MANIFEST, wallets.MANIFEST])
    assert "/v1/wallets/" in dict(query_registry.plain_reads.items())
    spec = create_app(Settings(mongo_url="mongodb://127.0.0.1:1"), registry=query_registry).openapi()
    paths = spec["paths"]

    def parameters(path: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"]["parameters"]}

    assert {"min_version", "X-Consistency-Token", "If-None-Match"} <= parameters("/v1/wallets/{wallet_id}")
    assert {"as_of", "X-Consistency-Token"} <= parameters("/v1/wallets/{wallet_id}/balance")
    assert {"from", "to", "kind", "limit", "cursor"} <= parameters("/v1/wallets/{wallet_id}/statement")
    assert "date" in parameters("/v1/merchants/{merchant_id}/settlements")


def test_the_projected_wallet_is_what_the_view_reads() -> None:
    book = Book().open().top_up(rupees(100)).hold(rupees(10), "p-1")
    view = WalletView.model_validate(project("wallet_view", book.stored())[book.wallet_id])
    assert view.available_paise == rupees(90) and view.open_holds[0].payment_id == "p-1"
    assert view.headroom.month == "2025-03" and view.headroom.limits[0].period is None
