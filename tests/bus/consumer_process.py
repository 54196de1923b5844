"""A consumer replica in a process of its own, so a test can kill it for real.

``python -m tests.bus.consumer_process SERVICE DATABASE_URL [--die-after-commit]``: consumes
``gongkai.SERVICE`` with the real inbox consumer. With ``--die-after-commit`` the process exits
hard (``os._exit``) right after the first event's transaction commits — before the ack.
Prints ``ready`` once consuming, and ``duplicates=N`` when it is told to stop (stdin closes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from shared.bus import RetryPolicy, create_bus, each
from shared.events import CloudEvent
from shared.observability import EVENTS_CONSUMED
from tests.bus.harness import event_type_of, replica
from tests.infra import AMQP_URL
from tests.support import make_settings


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("service")
    parser.add_argument("database_url")
    parser.add_argument("--die-after-commit", action="store_true")
    args = parser.parse_args()

    bus = create_bus(AMQP_URL)
    await bus.start()
    runtime = replica(args.service, args.database_url, make_settings(), bus)

    async def consume(event: CloudEvent) -> None:
        [error] = await runtime.consumer([event])  # the effect and the inbox row are committed here
        if error is not None:
            raise error
        if args.die_after_commit:
            os._exit(17)  # killed before the bus acks

    await bus.subscribe(args.service, [event_type_of(args.service)], each(consume), policy=RetryPolicy(), prefetch=32)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    duplicates = EVENTS_CONSUMED.labels(args.service, event_type_of(args.service), "duplicate")._value.get()
    print(f"duplicates={int(duplicates)}", flush=True)
    await bus.close()
    await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main())
