"""The I/O behind the pipeline's protocols: Redis, spaCy, Kafka clients, Prometheus."""
