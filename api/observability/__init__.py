"""What operators see: Prometheus metrics, JSON logs, request ids."""
