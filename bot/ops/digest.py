"""``python -m bot digest``: queue every new case now, deliver, exit; 1 if some wait."""

from __future__ import annotations

import logging

from bot.cases.delivery import OutboxSender
from bot.cases.digest import DigestService

logger = logging.getLogger(__name__)

DIGEST_DRAIN_SECONDS = 600


async def send_digests(digests: DigestService, sender: OutboxSender) -> int:
    queued = await digests.queue()
    pending = await sender.drain(within=DIGEST_DRAIN_SECONDS, owed_now=True)
    logger.info("Digest: %d cases queued, %d messages still pending", queued, pending)
    return 1 if pending else 0
