"""What the replicas share through Redis when ``REDIS_URL`` is set: the per-user event locks,
the flood limits, the daily quotas and the scheduler's leadership.

Every key starts with ``REDIS_PREFIX`` (``adal:``) and names a user only by an HMAC
under the pseudonym key, with a purpose of its own, so that no key joins with a database row;
every key expires. See docs/architecture.md, "Replicas".
"""
