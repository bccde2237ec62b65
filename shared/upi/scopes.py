"""The upi context's scopes: what a staff or service token needs on its routes (customer tokens
are judged by each route's customer rule instead)."""

UPI_READ = "upi:read"
UPI_WRITE = "upi:write"

SCOPES = (UPI_READ, UPI_WRITE)
