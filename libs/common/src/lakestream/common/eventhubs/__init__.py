"""Azure Event Hubs: connection settings, the producer and the Kafka-endpoint options."""
