"""The read side's writer: consumes the Kafka topics and keeps MongoDB read models current."""
