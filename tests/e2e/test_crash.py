"""SIGKILL at random points of submission, digest and broadcast, twenty times each.

After every restart the invariants are checked: a report the citizen was told is received is
there; nothing is delivered twice except a labelled possible repeat of a digest item in flight;
nobody gets a broadcast twice; the database passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from bot.app import Services, build_services
from bot.broadcasts.content import Content, Version
from bot.broadcasts.runner import CONCURRENCY
from bot.broadcasts.service import Request
from bot.core import receipt
from bot.reports.service import Submission
from bot.settings import load_settings
from storage.subscribers import Audience
from tests.conftest import TEST_KEY
from tests.e2e.forked import ForkedBot
from tests.fakeapi import FakeBotAPI, FakeUser
from tests.support.live import ADMIN_ID
from tests.support.people import Person

KILLS = 20
BODY = "Инспектор требует деньги за техосмотр, каждый раз по 10 000 тенге."


def integrity(bot: ForkedBot) -> str:
    with closing(sqlite3.connect(bot.data_dir / "adal.sqlite3")) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


async def services_of(bot: ForkedBot) -> Services:
    return await build_services(
        load_settings(
            bot_token="42:TEST",
            data_dir=bot.data_dir,
            encryption_keys=TEST_KEY,
            admin_ids=str(ADMIN_ID),
            _env_file=None,
        )
    )


def receipts(api: FakeBotAPI, user: FakeUser) -> set[str]:
    codes = set()
    for message in api.messages_in(user):
        for word in (message.plain_text or "").split():
            code = receipt.parse(word)
            if code is not None and word.count("-") == 3:
                codes.add(code)
    return codes


async def wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261122)


async def test_sigkill_during_submission(
    fake_api: FakeBotAPI, tmp_path: Path, rng: random.Random
) -> None:
    bot = ForkedBot(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID))
    await bot.start()
    people = []
    for _ in range(KILLS):
        person = Person(fake_api, fake_api.make_user(language_code=rng.choice(["kk", "ru"])))
        people.append(person)
        await person.walk_to_review(BODY, region="astana")
        fake_api.press(person.user, "do:submit")
        await asyncio.sleep(rng.uniform(0, 0.05))
        await bot.kill()
        assert integrity(bot) == "ok"
        await bot.start()
        if not await wait_for(lambda user=person.user: receipts(fake_api, user), 3):
            # The press was taken from Telegram's queue but not acted on: press again.
            await person.press("do:submit", expect="-")
        assert len(receipts(fake_api, person.user)) == 1
    await bot.stop()

    services = await services_of(bot)
    try:
        for person in people:
            [code] = receipts(fake_api, person.user)
            assert await services.reports.lookup(code) is not None, "told received, so stored"
        row = await services.database.fetchone("SELECT count(*) FROM reports")
        assert row[0] == len(people), "one report per citizen, however often it was pressed"
    finally:
        await services.close()


async def test_sigkill_during_digests(
    fake_api: FakeBotAPI, tmp_path: Path, rng: random.Random
) -> None:
    group = fake_api.make_group(title="Astana officers")
    bot = ForkedBot(fake_api, tmp_path, "digest", SEND_INTERVAL_SECONDS="0.02")
    services = await services_of(bot)
    try:
        code = await services.departments.invite("astana")
        assert code is not None
        await services.departments.join(code, group.id, "group")
    finally:
        await services.close()

    markers = []
    for round_no in range(KILLS):
        services = await services_of(bot)
        try:
            for index in range(3):
                marker = f"CASE-{round_no:02d}-{index}"
                markers.append(marker)
                await services.reports.submit(
                    Submission(
                        draft_id=marker,
                        receipt_code=receipt.generate(),
                        region="astana",
                        category="akimat",
                        occurred="week",
                        place=None,
                        body=f"{BODY} {marker}",
                        contact_chat_id=None,
                        locale="ru",
                    )
                )
        finally:
            await services.close()
        await bot.launch()
        await asyncio.sleep(rng.uniform(0.05, 0.8))
        await bot.kill()
        assert integrity(bot) == "ok"

    await bot.launch()
    assert await bot.wait(60) == 0, bot.log()
    cards = [m.plain_text or "" for m in fake_api.messages_in(group) if "№" in (m.plain_text or "")]
    copies = Counter(marker for text in cards for marker in markers if marker in text)
    plain = Counter(
        marker for text in cards for marker in markers if marker in text and "🔁" not in text
    )
    assert set(copies) == set(markers), "every case reached its department"
    assert max(plain.values()) == 1, "unlabelled, a case goes once: only a repeat goes again"
    assert sum(copies.values()) - len(markers) <= KILLS, "at most one repeat per kill"


async def test_sigkill_during_a_broadcast(
    fake_api: FakeBotAPI, tmp_path: Path, rng: random.Random
) -> None:
    users = [fake_api.make_user(language_code="ru") for _ in range(150)]
    fake_api.make_user(id=ADMIN_ID, language_code="ru")
    bot = ForkedBot(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID), BROADCAST_RATE="30")
    services = await services_of(bot)
    try:
        for user in users:
            await services.subscribers.join(user.id, "ru")
        await services.broadcasts.create(
            Request(Content({"ru": Version("crash-news")}), Audience(), ADMIN_ID, ADMIN_ID, "ru")
        )
    finally:
        await services.close()

    def delivered() -> Counter[int]:
        return Counter(
            int(r.params["chat_id"])
            for r in fake_api.calls("sendMessage")
            if r.ok and r.params.get("text") == "crash-news"
        )

    for _ in range(KILLS):
        await bot.start()
        await asyncio.sleep(rng.uniform(0, 0.4))
        await bot.kill()
        assert integrity(bot) == "ok"
        assert max(delivered().values(), default=0) <= 1, "nobody got it twice"
    await bot.start()
    assert await wait_for(lambda: broadcast_status(bot) == "done", 60)
    await bot.stop()

    services = await services_of(bot)
    try:
        rows = await services.database.fetchall(
            "SELECT subscriber_id, status FROM broadcast_recipients"
        )
        ids = {(await services.subscribers.get(user.id)).id: user.id for user in users}
    finally:
        await services.close()
    unconfirmed = {ids[row[0]] for row in rows if row[1] == "unconfirmed"}
    counts = delivered()
    assert len(unconfirmed) <= KILLS * CONCURRENCY
    for user in users:
        assert counts[user.id] <= 1
        if user.id not in unconfirmed:
            assert counts[user.id] == 1, "everyone not caught in flight got it once"


def broadcast_status(bot: ForkedBot) -> str:
    with closing(sqlite3.connect(bot.data_dir / "adal.sqlite3")) as conn:
        return conn.execute("SELECT status FROM broadcasts").fetchone()[0]
