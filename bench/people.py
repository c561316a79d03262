"""Simulated people: each sends one update, waits for the bot message it needs, then the next.

``converse`` runs one person's script; ``crowd`` runs many at once, optionally paced so that the
updates of all of them together arrive at a fixed rate (each still waits for its answer).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.timed_api import TimedAPI, Until
from bot.broadcasts.runner import Pacer
from bot.core import receipt
from tests.fakeapi import FakeUser, SentMessage

REPLY_TIMEOUT = 120.0
BODY = (
    "Инспектор дорожной полиции на посту у въезда в город требует деньги за то, чтобы не "
    "составлять протокол; называет сумму 20 000 тенге и говорит, что так делают все."
)
PHOTO_BYTES = 100 * 1024
SPHERE = "akimat"

Action = Callable[[TimedAPI, FakeUser], object]


@dataclass(frozen=True)
class Step:
    """One update, and the bot message that ends the step (it carries the next button)."""

    act: Action
    until: Until


def command(text: str) -> Action:
    return lambda api, user: api.send_command(user, text)


def say(text: str) -> Action:
    return lambda api, user: api.send_text(user, text)


def press(data: str) -> Action:
    return lambda api, user: api.press(user, data)


def photo(data: bytes) -> Action:
    return lambda api, user: api.send_photo(user, data)


def has_button(data: str) -> Until:
    return lambda message: any(b.get("callback_data") == data for b in message.buttons)


def shows_receipt(message: SentMessage) -> bool:
    return any(
        word.count("-") == 3 and receipt.parse(word) for word in (message.plain_text or "").split()
    )


def any_message(message: SentMessage) -> bool:
    return True


def report_script(region: str) -> tuple[Step, ...]:
    """The whole citizen dialog with one photo: eleven updates, ending with the receipt code."""
    evidence = b"\xff\xd8\xff\xe0" + os.urandom(PHOTO_BYTES)
    return (
        Step(command("/report"), has_button(f"rg:{region}")),
        Step(press(f"rg:{region}"), has_button(f"sp:{SPHERE}")),
        Step(press(f"sp:{SPHERE}"), has_button("wh:week")),
        Step(press("wh:week"), has_button("do:skip")),
        Step(press("do:skip"), has_button("do:back")),
        Step(say(BODY), has_button("do:done")),
        Step(press("do:done"), has_button("do:skip")),
        Step(photo(evidence), has_button("do:done")),
        Step(press("do:done"), has_button("do:cno")),
        Step(press("do:cno"), has_button("do:submit")),
        Step(press("do:submit"), shows_receipt),
    )


def echo_script(updates: int) -> tuple[Step, ...]:
    return tuple(Step(say(f"{BODY} #{index}"), any_message) for index in range(updates))


@dataclass
class CrowdRun:
    """What a crowd did: latencies of every update, and how long it all took."""

    people: int
    updates: int = 0
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def people_per_second(self) -> float:
        return self.people / self.seconds


async def converse(
    api: TimedAPI, user: FakeUser, script: Sequence[Step], run: CrowdRun, pacer: Pacer | None
) -> None:
    for step in script:
        if pacer is not None:
            await pacer.slot()
        exchange = api.expect(user.id, step.until)
        step.act(api, user)
        await asyncio.wait_for(exchange.answered, REPLY_TIMEOUT)
        run.updates += 1
        if exchange.latency is not None:
            run.latencies.append(exchange.latency)


async def crowd(
    api: TimedAPI,
    people: Sequence[FakeUser],
    script: Callable[[FakeUser], Sequence[Step]],
    rate: float | None = None,
) -> CrowdRun:
    """Everyone at once; with ``rate``, updates of all of them spaced ``1 / rate`` apart.

    The garbage collector of this process is off meanwhile: its full collections over the fake
    server's record of every request paused the server for hundreds of milliseconds, which the
    latencies counted as the bot's (bench/findings.md).
    """
    pacer = Pacer(rate) if rate else None
    scripts = [script(user) for user in people]
    gc.collect()
    gc.disable()
    try:
        run = CrowdRun(len(people), started=time.monotonic())
        async with asyncio.TaskGroup() as group:
            for user, steps in zip(people, scripts, strict=True):
                group.create_task(converse(api, user, steps, run, pacer))
        run.ended = time.monotonic()
    finally:
        gc.enable()
    return run
