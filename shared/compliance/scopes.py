"""The compliance context's scopes: staff only (its routes never answer a customer token)."""

COMPLIANCE_READ = "compliance:read"
COMPLIANCE_FILE = "compliance:file"
"""Recording that a report was filed with FIU-IND."""

SCOPES = (COMPLIANCE_READ, COMPLIANCE_FILE)
