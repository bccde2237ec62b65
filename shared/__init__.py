"""Bahi's shared kernel: event contracts, the envelope, the CloudEvents mapping,
topic names, read-model names and small cross-service helpers. The event
contracts and the envelope import no infrastructure client (checked by import-linter)."""
