"""Prometheus metrics, served at /metrics."""

from prometheus_client import Counter

INBOUND = Counter(
    "kentongan_inbound_messages_total", "Inbound messages handled", ["channel", "intent", "duplicate"]
)
REJECTED = Counter("kentongan_webhook_rejected_total", "Webhook requests refused", ["channel", "reason"])
