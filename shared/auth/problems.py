"""The answers of a refused request, as problem+json (RFC 9457) like every other error, with
the Bearer challenge of RFC 6750: 401 (no token, or one that does not verify), 403 (a token
without the route's scope; the scope is named), 404 (a customer's request for what is not
theirs: answered as if it did not exist)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from shared.web import problem

REALM = "bahi"


def _quoted(text: str) -> str:
    # RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (no '"', no '\').
    return "".join(c for c in text if " " <= c <= "~" and c not in '"\\')[:300]


def unauthenticated(description: str | None) -> JSONResponse:
    """401. No description: the request had no bearer token at all (RFC 6750 §3.1: then the
    challenge carries no error code)."""
    challenge = f'Bearer realm="{REALM}"'
    if description is None:
        detail = "a bearer token is required (Authorization: Bearer <JWT>)"
    else:
        detail = f"the bearer token is not valid: {description}"
        challenge += f', error="invalid_token", error_description="{_quoted(description)}"'
    response = problem(401, "Unauthorized", detail, type_="https://bahi.dev/problems/unauthenticated")
    response.headers["WWW-Authenticate"] = challenge
    return response


def missing_scope(scope: str, *, customer: bool) -> JSONResponse:
    detail = f"this route needs the scope {scope}" + (" and is not open to customer tokens" if customer else "")
    response = problem(403, "Forbidden", detail, type_="https://bahi.dev/problems/insufficient-scope", scope=scope)
    response.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
    return response


def not_for_this_customer(field: str) -> JSONResponse:
    """403 for a customer token naming another customer in what it sends (nothing to hide)."""
    return problem(
        403,
        "Forbidden",
        f"{field}: a customer token acts only for its own subject",
        type_="https://bahi.dev/problems/not-your-customer-id",
        field=field,
    )


def hidden(detail: str) -> JSONResponse:
    """The same 404 whether the resource is missing or another customer's."""
    return problem(404, "Not found", detail)
