"""Bahi's shared kernel: event contracts, the envelope, the CloudEvents mapping,
topic names and small cross-service helpers. Imports no infrastructure client."""
