"""The flood limits shared by the replicas: the token buckets of bot/telegram/throttle.py in
Redis, one hash per user and kind, taken from and refilled atomically by a Lua script.

A bucket's key expires once the bucket would be full again and its warning over, so that
forgetting it changes nothing (the in-process version's bound on users, done by Redis).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from redis.asyncio import Redis

from bot.security.crypto import Pseudonyms
from bot.telegram.throttle import WARN_EVERY, Rate, Verdict

PURPOSE = "redis:throttle"

# KEYS[1] the bucket; ARGV: burst, tokens a second, now, warn every, seconds to keep the key.
_TAKE = """
local burst = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'warned')
local tokens = burst
if state[1] then
  -- A take computed its time before an earlier one ran: time does not go back.
  now = math.max(now, tonumber(state[2]))
  tokens = math.min(burst, tonumber(state[1]) + (now - tonumber(state[2])) * per_second)
end
local verdict = 'drop'
if tokens >= 1 then
  tokens = tokens - 1
  verdict = 'allow'
elseif not state[3] or now - tonumber(state[3]) >= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'warned', tostring(now))
  verdict = 'warn'
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[5])
return verdict
"""


class RedisTokenBuckets:
    def __init__(
        self,
        redis: Redis,
        pseudonyms: Pseudonyms,
        prefix: str,
        kind: str,
        rate: Rate,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``kind`` tells these buckets from the others (messages, presses); ``clock`` is the
        wall clock, the one the replicas share."""
        self._redis = redis
        self._pseudonyms = pseudonyms
        self._prefix = f"{prefix}throttle:{kind}:"
        self._rate = rate
        self._clock = clock
        self._keep = math.ceil(max(rate.burst * 60 / rate.per_minute, WARN_EVERY))
        self._take = redis.register_script(_TAKE)

    def name(self, key: bytes) -> str:
        return self._prefix + self._pseudonyms.digest(PURPOSE, key.hex()).hex()

    async def take(self, key: bytes) -> Verdict:
        verdict = await self._take(
            keys=[self.name(key)],
            args=[
                self._rate.burst,
                self._rate.per_minute / 60,
                repr(self._clock()),
                WARN_EVERY,
                self._keep,
            ],
        )
        return Verdict(verdict.decode() if isinstance(verdict, bytes) else verdict)
