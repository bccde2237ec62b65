"""The banking context's scopes: what a staff or service token needs on its routes (customer
tokens are judged by each route's customer rule instead)."""

BANKING_READ = "banking:read"
BANKING_WRITE = "banking:write"
BANKING_AUDIT = "banking:audit"
"""An account's audit trail and its state at a past moment: staff only, never customer tokens
(the trail names staff members and client addresses)."""

SCOPES = (BANKING_READ, BANKING_WRITE, BANKING_AUDIT)
