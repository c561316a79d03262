"""Which shared state the composition root chooses: this process's without ``REDIS_URL``,
Redis with it."""

from __future__ import annotations

from pydantic import SecretStr

from bot.app.shared import shared_state
from bot.core.quota import DailyQuota
from bot.replicas.isolation import RedisEventIsolation
from bot.replicas.leadership import Lease, SoleLeader
from bot.replicas.quota import RedisDailyQuota
from bot.replicas.throttle import RedisTokenBuckets
from bot.security.crypto import Pseudonyms
from bot.settings import Settings
from bot.telegram.isolation import EventIsolation
from bot.telegram.throttle import TokenBuckets

PSEUDONYMS = Pseudonyms(bytes(32))


async def test_without_redis_everything_stays_in_the_process(settings: Settings) -> None:
    assert settings.redis_url is None
    shared = shared_state(settings, PSEUDONYMS)
    assert isinstance(shared.isolation, EventIsolation)
    assert isinstance(shared.messages, TokenBuckets) and isinstance(shared.presses, TokenBuckets)
    assert isinstance(shared.reports_quota, DailyQuota)
    assert isinstance(shared.files_quota, DailyQuota)
    assert isinstance(shared.leadership, SoleLeader) and await shared.leadership.holds()
    assert shared.redis is None and await shared.reachable()
    await shared.close()


async def test_with_redis_the_replicas_share_it(settings: Settings) -> None:
    """No server needed: the client connects on first use."""
    with_redis = settings.model_copy(update={"redis_url": SecretStr("redis://127.0.0.1:1/0")})
    shared = shared_state(with_redis, PSEUDONYMS)
    assert isinstance(shared.isolation, RedisEventIsolation)
    assert isinstance(shared.messages, RedisTokenBuckets)
    assert isinstance(shared.presses, RedisTokenBuckets)
    assert isinstance(shared.reports_quota, RedisDailyQuota)
    assert isinstance(shared.files_quota, RedisDailyQuota)
    assert isinstance(shared.leadership, Lease)
    assert shared.redis is not None
    await shared.close()
