"""The risk context's scopes: staff only (its routes never answer a customer token)."""

RISK_READ = "risk:read"
RISK_REVIEW = "risk:review"
"""Recording an analyst's decision on an alert (an escalation also opens an STR case)."""

SCOPES = (RISK_READ, RISK_REVIEW)
