"""The write side: HTTP commands -> decide -> PostgreSQL event store; and the relay to Kafka."""
