"""Helpers that several tests use (never a test module imported by another)."""
