"""The read side's HTTP API: answers from MongoDB read models only."""
