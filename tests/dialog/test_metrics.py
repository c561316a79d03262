"""Prometheus metrics: counted from real updates, read from storage at scrape, never personal."""

from __future__ import annotations

import re
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Services, create_sender
from bot.telegram.metrics import Metrics
from storage.broadcasts import NewBroadcast, RecipientStatus, Sealed
from storage.pseudonym_rotation import CURSOR, PseudonymRotationRepository
from tests.support.dialog import fill_report
from tests.support.harness import Citizen
from tests.support.mocked import MockedSession, mocked_bot

TYPED = "Аким района берёт взятки MARKER-7781"
LABEL = re.compile(r'(\w+)="([^"]*)"')


async def queue_digest(services: Services, citizen: Citizen) -> None:
    """A submitted case, queued for the digest of a group linked to its region."""
    await fill_report(citizen)
    await citizen.press("do:submit")
    code = await services.departments.invite("abai")
    assert await services.departments.join(code or "", -100200300, "group") == "abai"
    assert await services.digests.queue() == 1


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Each sample by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


async def test_updates_are_counted_by_type_and_timed(citizen: Citizen, services: Services) -> None:
    await citizen.say("/start")
    await citizen.say(TYPED)
    await citizen.press("lang:ru")
    rendered = await services.metrics.render()
    values = samples(rendered)
    assert values["adal_updates_total", (("type", "message"),)] == 2
    assert values["adal_updates_total", (("type", "callback_query"),)] == 1
    assert values["adal_handler_seconds_count", ()] == 3
    assert ("adal_handler_errors_total", (("error", "ValueError"),)) not in values


async def test_handler_errors_are_counted_by_class_and_labels_stay_impersonal(
    citizen: Citizen, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill_report(citizen)
    user = citizen.user

    async def broken(*_: object) -> bool:
        raise ValueError(f"{TYPED} by {user.first_name} {user.username} {user.id}")

    monkeypatch.setattr(services.reports, "submit", broken)
    await citizen.press("do:submit")
    rendered = await services.metrics.render()
    assert samples(rendered)["adal_handler_errors_total", (("error", "ValueError"),)] == 1
    text = rendered.decode()
    for secret in (TYPED, "MARKER-7781", str(user.id), user.first_name, user.username):
        assert secret and secret not in text, f"{secret!r} in the metrics"
    allowed = {"type", "error", "le"}
    for name, value in LABEL.findall(text):
        assert name in allowed, name
        assert re.fullmatch(r"[a-z_]+|[A-Z]\w*|[0-9.e+]+|\+Inf", value), value


async def test_outbox_gauges_are_read_from_storage_at_scrape(
    citizen: Citizen, services: Services
) -> None:
    rows = services.repositories
    assert samples(await services.metrics.render())["adal_outbox_pending", ()] == 0
    await queue_digest(services, citizen)
    oldest = await rows.outbox.oldest_pending()
    assert oldest is not None
    rotation = PseudonymRotationRepository(services.database)
    metrics = Metrics(rows.outbox, rows.broadcasts, rotation, 1, clock=lambda: oldest + 42)
    values = samples(await metrics.render())
    assert values["adal_outbox_pending", ()] == await rows.outbox.pending() > 0
    assert values["adal_outbox_oldest_pending_age_seconds", ()] == 42


async def test_digests_sent_are_counted_once_delivered(
    citizen: Citizen, services: Services
) -> None:
    await queue_digest(services, citizen)
    assert samples(await services.metrics.render())["adal_digests_sent_total", ()] == 0
    now = [time.time()]
    sender = create_sender(mocked_bot(MockedSession()), services, clock=lambda: now[0])
    for _ in range(3):  # header, card, file: one per pass, paced per chat
        await sender.process_due()
        now[0] += 60
    values = samples(await services.metrics.render())
    assert values["adal_digests_sent_total", ()] == 1
    assert values["adal_outbox_pending", ()] == 0


async def test_broadcast_progress_of_the_running_broadcast(services: Services) -> None:
    broadcasts = services.repositories.broadcasts
    values = samples(await services.metrics.render())
    assert values["adal_broadcast_sent", ()] == values["adal_broadcast_pending", ()] == 0
    new = NewBroadcast("all", b"author", "ru", "2026-01-01T00:00:00+00:00", time.time(), None)
    broadcast_id = await broadcasts.create(new, lambda _: Sealed(b"content", b"admin"))
    await broadcasts.start(broadcast_id, total=5, now=time.time())
    await broadcasts.mark(broadcast_id, 1, RecipientStatus.SENT)
    await broadcasts.mark(broadcast_id, 2, RecipientStatus.SENT)
    await broadcasts.mark(broadcast_id, 3, RecipientStatus.BLOCKED)
    await broadcasts.mark(broadcast_id, 4, RecipientStatus.PENDING)
    values = samples(await services.metrics.render())
    assert values["adal_broadcast_sent", ()] == 2
    assert values["adal_broadcast_pending", ()] == 2, "one waiting after a 429, one not taken"


async def test_key_rotation_state_is_shown(services: Services) -> None:
    values = samples(await services.metrics.render())
    assert values["adal_encryption_keys", ()] == 1
    assert values["adal_pseudonym_rotation_unfinished", ()] == 0
    rotation = PseudonymRotationRepository(services.database)
    await services.database.execute(
        "INSERT INTO meta (name, value) VALUES (?, ?)", (CURSOR + "outbox", b"7")
    )
    assert samples(await services.metrics.render())["adal_pseudonym_rotation_unfinished", ()] == 1
    await rotation.finish({}, ())
    assert samples(await services.metrics.render())["adal_pseudonym_rotation_unfinished", ()] == 0
    two_keys = Metrics(services.repositories.outbox, services.repositories.broadcasts, rotation, 2)
    assert samples(await two_keys.render())["adal_encryption_keys", ()] == 2
