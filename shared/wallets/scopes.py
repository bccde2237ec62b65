"""The wallets context's scopes: what a staff or service token needs on its routes (customer
tokens are judged by each route's customer rule instead)."""

WALLETS_READ = "wallets:read"
WALLETS_WRITE = "wallets:write"
SETTLEMENTS_READ = "settlements:read"
"""A merchant's settlements: never for customer tokens."""

SCOPES = (WALLETS_READ, WALLETS_WRITE, SETTLEMENTS_READ)
