"""The chaos suite: every component killed under one load, and nothing lost (README "Failure")."""
