"""The event bus: one interface, two transports (DESIGN §2, §3)."""

from __future__ import annotations

from shared.bus.base import (
    EXCHANGE,
    BatchHandler,
    Bus,
    DeadLetter,
    MessageHandler,
    PublishItem,
    RetryPolicy,
    Subscription,
    dead_queue_name,
    each,
    queue_name,
)


def create_bus(url: str) -> Bus:
    """``memory://[name]`` → the in-process transport; ``amqp://…`` → RabbitMQ."""
    if url.startswith("memory://"):
        from shared.bus.memory import MemoryBus

        return MemoryBus(url)
    if url.startswith(("amqp://", "amqps://")):
        from shared.bus.rabbitmq import RabbitBus

        return RabbitBus(url)
    raise ValueError(f"unsupported bus URL {url!r}: use memory:// or amqp://")


__all__ = [
    "EXCHANGE",
    "BatchHandler",
    "Bus",
    "DeadLetter",
    "MessageHandler",
    "PublishItem",
    "RetryPolicy",
    "Subscription",
    "create_bus",
    "dead_queue_name",
    "each",
    "queue_name",
]
