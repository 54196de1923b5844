"""RabbitMQ transport (``amqp://…``) on aio-pika.

Topology per consuming service (DESIGN §3):
- ``gongkai.<service>``: durable quorum queue bound to ``gongkai.events`` by each handled type,
  with a dead-letter exchange routing to the dead queue (used if a message is ever rejected);
- ``gongkai.<service>.retry.<ms>ms``: one durable quorum delay queue per retry step; a failed
  message waits there for its TTL and is dead-lettered back to the service queue (at-least-once
  dead-lettering, so the broker never drops it on the way);
- ``gongkai.<service>.dead``: where a message rests after ``max_attempts`` failures.

A failed message is republished (with publisher confirm) to the next delay queue or the dead queue
*before* the original is acked, so a crash in between duplicates — the inbox absorbs that — but
never loses it. Retry queues carry their delay in their name, so changing the policy declares new
queues instead of clashing with old arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractRobustConnection,
    FieldValue,
    HeadersType,
)
from aio_pika.connection import make_url
from aio_pika.exceptions import ChannelInvalidStateError

from shared.bus.base import (
    EXCHANGE,
    BatchHandler,
    BatchTaker,
    Bus,
    DeadLetter,
    Decision,
    PublishItem,
    RetryPolicy,
    Subscription,
    dead_letter_event,
    dead_queue_name,
    decide,
    queue_name,
)
from shared.events import CONTENT_TYPE

log = logging.getLogger("gongkai.bus.rabbitmq")

FAILURES_HEADER = "x-gongkai-failures"
ERROR_HEADER = "x-gongkai-last-error"
DIED_AT_HEADER = "x-gongkai-died-at"
QUORUM: HeadersType = {"x-queue-type": "quorum"}
PUBLISH_TIMEOUT_SECONDS = 10.0
MAX_CONNECT_DELAY_SECONDS = 30.0


def retry_queue_name(service: str, delay_seconds: float) -> str:
    return f"gongkai.{service}.retry.{round(delay_seconds * 1000)}ms"


class RabbitBus(Bus):
    def __init__(self, url: str, *, reconnect_interval: float = 1.0) -> None:
        super().__init__()
        self.url = url
        self.reconnect_interval = reconnect_interval
        self.connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._connect_lock = asyncio.Lock()
        self._subscriptions: list[_RabbitSubscription] = []
        self._connector: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        """Connects if it can. If the broker is down, publishing reports errors (the outbox keeps
        the events) and a background task keeps trying, so the subscriptions are set up as soon as
        the broker answers — a consumer that starts first is not left deaf."""
        try:
            await self._connected()
        except Exception as exc:
            self._announce_lost(exc)
            if self._connector is None or self._connector.done():
                self._connector = asyncio.create_task(self._keep_connecting(), name="rabbitmq-connect")

    async def _keep_connecting(self) -> None:
        delay = self.reconnect_interval
        while self.connection is None:
            await asyncio.sleep(delay)
            try:
                await self._connected()
            except Exception as exc:
                log.warning("RabbitMQ still unreachable: %s", exc)
                delay = min(delay * 2, MAX_CONNECT_DELAY_SECONDS)

    async def _connected(self) -> AbstractRobustConnection:
        if self.connection is not None:
            return self.connection
        async with self._connect_lock:
            if self.connection is None:
                connection = await self._connect()
                try:
                    channel = await connection.channel(publisher_confirms=True)
                    self._exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
                    for subscription in self._subscriptions:
                        await subscription.open(connection)
                except BaseException:
                    # Cancelled or failed half-way: close it rather than leave it reconnecting.
                    with contextlib.suppress(Exception):
                        await connection.close()
                    raise
                self._publish_channel = channel
                self.connection = connection
                # The robust connection reconnects by itself (channels and consumers restored);
                # these callbacks only tell the relays, the metric and the log.
                connection.close_callbacks.add(self._on_lost)
                connection.reconnect_callbacks.add(self._on_reconnected)
                self._announce_connected()
        return self.connection

    def _on_lost(self, _connection: object, reason: BaseException | None = None) -> None:
        if not self._closing:
            self._announce_lost(reason)

    def _on_reconnected(self, _connection: object) -> None:
        log.info("RabbitMQ connection re-established")
        self._announce_connected()

    async def _connect(self) -> AbstractRobustConnection:
        # aio_pika.connect_robust, except that a failed first attempt closes its connection
        # object instead of leaving it to the garbage collector.
        connection = aio_pika.RobustConnection(make_url(self.url, reconnect_interval=self.reconnect_interval))
        try:
            await connection.connect(timeout=5)
        except BaseException:
            with contextlib.suppress(Exception):
                await connection.close()
            raise
        return connection

    async def close(self) -> None:
        self._closing = True
        if self._connector is not None:
            self._connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connector
        for subscription in list(self._subscriptions):
            await subscription.close()
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    async def ping(self) -> None:
        connection = await self._connected()
        if connection.is_closed or not connection.connected.is_set():
            raise ConnectionError("RabbitMQ connection is not open")

    async def publish(self, items: Sequence[PublishItem]) -> list[BaseException | None]:
        try:
            await self._connected()
        except Exception as exc:
            return [exc] * len(items)
        assert self._exchange is not None
        exchange = self._exchange

        async def one(event_id: str, event_type: str, body: bytes) -> None:
            await exchange.publish(
                _message(body, event_id, event_type), routing_key=event_type, timeout=PUBLISH_TIMEOUT_SECONDS
            )

        results = await asyncio.gather(*(one(*item) for item in items), return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in results]

    async def subscribe(
        self,
        service: str,
        event_types: Sequence[str],
        handler: BatchHandler,
        *,
        policy: RetryPolicy,
        prefetch: int = 256,
        batch_size: int = 64,
        concurrency: int = 4,
    ) -> Subscription:
        subscription = _RabbitSubscription(
            self, service, list(event_types), handler, policy, prefetch, batch_size, concurrency
        )
        self._subscriptions.append(subscription)
        if self.connection is not None:
            await subscription.open(self.connection)
        else:
            await self.start()
        return subscription

    async def _open_channel(self) -> AbstractChannel:
        connection = await self._connected()
        return await connection.channel(publisher_confirms=True)

    async def dead_letters(self, service: str, *, limit: int = 1000) -> list[DeadLetter]:
        channel = await self._open_channel()
        try:
            queue = await channel.declare_queue(dead_queue_name(service), durable=True, arguments=QUORUM)
            letters: list[DeadLetter] = []
            while len(letters) < limit:
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                letters.append(_dead_letter(message))
            return letters
        finally:
            # Closing the channel hands every fetched-but-unacked message back to the queue.
            await channel.close()

    async def replay_dead_letters(self, service: str, event_ids: Sequence[str] | None = None) -> int:
        wanted = set(event_ids) if event_ids is not None else None
        channel = await self._open_channel()
        replayed = 0
        try:
            queue = await channel.declare_queue(dead_queue_name(service), durable=True, arguments=QUORUM)
            # Only what is parked now: a replayed message that fails again comes back meanwhile.
            for _ in range(queue.declaration_result.message_count or 0):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if wanted is not None and message.message_id not in wanted:
                    continue  # left unacked: returned to the dead queue when the channel closes
                await channel.default_exchange.publish(
                    _message(
                        message.body, message.message_id or "", message.type or "", headers={"x-gongkai-replayed": True}
                    ),
                    routing_key=queue_name(service),
                    timeout=PUBLISH_TIMEOUT_SECONDS,
                )
                await message.ack()
                replayed += 1
        finally:
            await channel.close()
        return replayed


def _message(body: bytes, event_id: str, event_type: str, headers: dict[str, Any] | None = None) -> aio_pika.Message:
    return aio_pika.Message(
        body,
        message_id=event_id,
        type=event_type,
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers or {},
    )


def _dead_letter(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    died_at = _text(headers.get(DIED_AT_HEADER))
    return DeadLetter(
        event_id=message.message_id or "",
        type=message.type or "",
        attempts=_failures(headers),
        last_error=_text(headers.get(ERROR_HEADER)),
        died_at=datetime.fromisoformat(died_at) if died_at else None,
        event=dead_letter_event(message.body),
    )


def _text(value: FieldValue) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _failures(headers: HeadersType | None) -> int:
    """How often the message failed so far: our own header, absent on a first delivery."""
    value = (headers or {}).get(FAILURES_HEADER) or 0
    if not isinstance(value, int | str | bytes):
        raise TypeError(f"{FAILURES_HEADER} header is a {type(value).__name__}")
    return int(value)


def _channel_of(message: AbstractIncomingMessage) -> object | None:
    try:
        return message.channel
    except ChannelInvalidStateError:  # closed
        return None


class _InOrderAcks:
    """Acknowledges a channel's deliveries in their order, a run at a time: the messages a worker
    settles are acknowledged once every earlier delivery is settled too, with one ``basic.ack``
    (``multiple``) for the whole run — one frame for many messages (each frame is a write to the
    socket), and never an acknowledgement covering a message another worker still holds.

    A message that could not be passed on to its retry or dead queue is left unacknowledged, so
    the broker redelivers it when the channel goes; past it, messages are acknowledged one by one."""

    def __init__(self) -> None:
        self._channel: object | None = None
        self._waiting: deque[AbstractIncomingMessage] = deque()
        self._settled: dict[int, bool] = {}  # delivery tag → acknowledge (False: left unacknowledged)
        self._one_by_one = False
        # Acks leave in the order their runs were found: the connection's frame queue is bounded,
        # and a later run's ack overtaking an earlier one would name a tag it had already covered.
        self._sending = asyncio.Lock()

    def delivered(self, message: AbstractIncomingMessage) -> None:
        channel = _channel_of(message)
        if channel is not self._channel:
            # A new channel (the connection came back): the old one's unacknowledged deliveries
            # come again on it, and their tags mean nothing there.
            self._channel = channel
            self._waiting.clear()
            self._settled.clear()
            self._one_by_one = False
        self._waiting.append(message)

    async def settled(
        self, messages: Sequence[AbstractIncomingMessage], left: Sequence[AbstractIncomingMessage]
    ) -> None:
        """``messages`` are done with; those in ``left`` stay unacknowledged."""
        unacknowledged = {id(m) for m in left}
        for message in messages:
            if message.delivery_tag is not None and _channel_of(message) is self._channel:
                self._settled[message.delivery_tag] = id(message) not in unacknowledged
        run: list[AbstractIncomingMessage] = []
        while self._waiting and self._waiting[0].delivery_tag in self._settled:
            message = self._waiting.popleft()
            if self._settled.pop(message.delivery_tag or 0):
                run.append(message)
            else:
                self._one_by_one = True
        if not run:
            return
        async with self._sending:
            if self._one_by_one:
                for message in run:
                    await message.ack()
            else:
                await run[-1].ack(multiple=True)


class _RabbitSubscription(Subscription):
    """Deliveries land in a local queue; ``concurrency`` workers take them in batches, run the
    handler, then ack (or republish to a delay/dead queue and ack) message by message. The broker's
    prefetch bounds how many are held unacked at once."""

    def __init__(
        self,
        bus: RabbitBus,
        service: str,
        event_types: list[str],
        handler: BatchHandler,
        policy: RetryPolicy,
        prefetch: int,
        batch_size: int,
        concurrency: int,
    ) -> None:
        self.bus = bus
        self.service = service
        self.event_types = event_types
        self.handler = handler
        self.policy = policy
        self.prefetch = prefetch
        self.concurrency = concurrency
        self.channel: AbstractChannel | None = None
        self.received: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self.batches = BatchTaker(self.received, batch_size)
        self.acks = _InOrderAcks()
        self.workers: list[asyncio.Task[None]] = []

    async def open(self, connection: AbstractRobustConnection) -> None:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        main, dead = queue_name(self.service), dead_queue_name(self.service)
        await channel.declare_queue(dead, durable=True, arguments=QUORUM)
        queue = await channel.declare_queue(
            main,
            durable=True,
            arguments={**QUORUM, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead},
        )
        for delay in self.policy.delays():
            await channel.declare_queue(
                retry_queue_name(self.service, delay),
                durable=True,
                arguments={
                    **QUORUM,
                    "x-message-ttl": round(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": main,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            )
        for event_type in self.event_types:
            await queue.bind(exchange, routing_key=event_type)
        self.channel = channel
        self.workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        await queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self.acks.delivered(message)
        self.received.put_nowait(message)

    async def _work(self) -> None:
        while True:
            batch = await self.batches.take()
            decisions = await decide(
                self.service,
                self.handler,
                [(m.body, _failures(m.headers)) for m in batch],
                self.policy,
            )
            left = []
            for message, decision in zip(batch, decisions, strict=True):
                try:
                    await self._pass_on(message, decision)
                except Exception:
                    # The channel went away (a reconnect): the broker redelivers the message.
                    log.warning("could not settle a message; the broker will redeliver it", exc_info=True)
                    left.append(message)
            try:
                await self.acks.settled(batch, left)
            except Exception:
                # The channel went away (a reconnect): the broker redelivers the messages.
                log.warning("could not acknowledge messages; the broker will redeliver them", exc_info=True)

    async def _pass_on(self, message: AbstractIncomingMessage, decision: Decision) -> None:
        """A failed message goes to its retry or dead queue before it is acknowledged."""
        if decision.action != "ack":
            assert self.channel is not None
            headers: dict[str, Any] = {FAILURES_HEADER: decision.failures, ERROR_HEADER: decision.error or ""}
            if decision.action == "retry":
                target = retry_queue_name(self.service, decision.delay)
            else:
                target = dead_queue_name(self.service)
                headers[DIED_AT_HEADER] = datetime.now(UTC).isoformat()
            # Confirmed before the ack: a crash in between duplicates, never loses.
            await self.channel.default_exchange.publish(
                _message(message.body, message.message_id or "", message.type or "", headers=headers),
                routing_key=target,
                timeout=PUBLISH_TIMEOUT_SECONDS,
            )

    async def close(self) -> None:
        if self in self.bus._subscriptions:
            self.bus._subscriptions.remove(self)
        for worker in self.workers:
            worker.cancel()
        for worker in self.workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self.workers = []
        if self.channel is not None and not self.channel.is_closed:
            # Unacked messages, in flight or still in the local queue, return to the broker.
            with contextlib.suppress(Exception):
                await self.channel.close()
        self.channel = None
