"""Scenario 3: one broadcast to every subscriber, under Telegram's global limit, clock scaled."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench.bots import ADMIN_ID, BotConfig, Watched, bot_process, services_of
from bench.profiles import sampled, summary
from bench.results import Section, mb
from bench.sizes import Sizes
from bench.timed_api import TimedAPI, running_api
from bot.broadcasts.content import Content, Version
from bot.broadcasts.service import Request
from storage.subscribers import Audience
from tests.fakeapi import RecordedRequest

TELEGRAM_LIMIT = 30
"""Messages per second a bot may send to all chats together."""
MIN_RATE_SHARE = 0.95
MAX_RSS_GROWTH = 0.05
NEWS = {
    "kk": "Жемқорлыққа жол жоқ: сенім телефоны 1424.",
    "ru": "Коррупции нет места: телефон доверия 1424.",
}
LANGUAGES = tuple(NEWS)
SEND_TIMEOUT = 120.0
"""Longest pause between two news messages before the run is declared stuck."""


class NewsCount:
    """The news messages subscribers got so far, counted incrementally from the fake server."""

    def __init__(self, api: TimedAPI, after: int) -> None:
        self.api = api
        self.times: list[float] = []
        self.refused = 0
        self._cursor = after

    def update(self) -> int:
        requests = self.api.requests
        for request in requests[self._cursor :]:
            if _is_news(request):
                if request.ok:
                    self.times.append(request.time)
                elif request.status == 429:
                    self.refused += 1
        self._cursor = len(requests)
        return len(self.times)

    async def reach(self, count: int, bot: Watched) -> None:
        seen, progressed = self.update(), time.monotonic()
        while seen < count:
            if bot.process.returncode is not None:
                raise RuntimeError(f"the bot exited after {seen} news messages")
            if time.monotonic() - progressed > SEND_TIMEOUT:
                raise TimeoutError(f"the broadcast stalled at {seen} messages")
            await asyncio.sleep(0.1)
            if self.update() > seen:
                seen, progressed = len(self.times), time.monotonic()


def _is_news(request: RecordedRequest) -> bool:
    return request.method == "sendMessage" and int(request.params["chat_id"]) != ADMIN_ID


def busiest(times: list[float], window: float) -> int:
    """Most messages within any ``window`` seconds."""
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("3. Broadcast")
    scale = sizes.clock_scale
    async with running_api() as api:
        api.set_rate_limit(round(TELEGRAM_LIMIT * scale))
        api.make_user(id=ADMIN_ID, language_code="ru")
        config = BotConfig(api.base_url, workdir / "data")
        async with services_of(config) as services:
            for index in range(sizes.subscribers):
                user = api.make_user(language_code=LANGUAGES[index % len(LANGUAGES)])
                await services.subscribers.join(user.id, user.language_code or "ru")
            content = Content({locale: Version(text) for locale, text in NEWS.items()})
            await services.broadcasts.create(Request(content, Audience(), ADMIN_ID, ADMIN_ID, "ru"))
            rate = services.settings.broadcast_rate
        news = NewsCount(api, api.mark())
        async with bot_process(config, "bench.bot_entry", "poll", str(scale), api=api) as bot:
            async with sampled(bot.process.pid, workdir / "broadcast.spy"):
                await news.reach(sizes.checkpoint, bot)
                at_checkpoint = bot.rss()
                await news.reach(sizes.subscribers, bot)
                at_end = bot.rss()
            peak = bot.peak_rss

    times = news.times
    achieved = (len(times) - 1) / (times[-1] - times[0]) / scale
    share = achieved / rate
    growth = at_end / at_checkpoint - 1
    section.add("subscribers", str(sizes.subscribers))
    section.add(
        "achieved / configured rate",
        f"{achieved:.2f} / {rate:.0f} per s = {share:.1%}",
        f"≥ {MIN_RATE_SHARE:.0%}",
        share >= MIN_RATE_SHARE,
    )
    section.add("429 answers", str(news.refused), "0", news.refused == 0)
    section.add("busiest second, in Telegram's time", f"{busiest(times, 1 / scale)} messages")
    section.add("peak RSS", mb(peak))
    section.add(
        f"RSS after {sizes.checkpoint} → {sizes.subscribers} messages",
        f"{mb(at_checkpoint)} → {mb(at_end)} ({growth:+.1%})",
        f"flat (≤ {MAX_RSS_GROWTH:+.0%})",
        growth <= MAX_RSS_GROWTH,
    )
    section.notes.append(
        f"{sizes.subscribers} subscribers join through `SubscriberService.join`; the broadcast "
        "(a text in Kazakh and in Russian, to everyone) is created through "
        "`BroadcastService.create`, and the bot's runner sends it. **The clock is scaled "
        f"×{scale:g}** so that the run takes minutes: the bot runs `run_polling` with "
        f"`BROADCAST_RATE` ×{scale:g} (`bench/bot_entry.py`) and the fake server answers 429 "
        f"beyond {TELEGRAM_LIMIT}×{scale:g} messages per (real) second; rates and the busiest "
        f"second are given back in Telegram's time (a 1/{scale:g} s window), where the event "
        f"loop's jitter of a few milliseconds also counts {scale:g} times (at real speed, "
        "`tests/e2e/test_broadcast_process.py` checks the busiest second). RSS is sampled when "
        "the subscribers have got the checkpoint's number of messages and at the end."
    )
    profile = summary(workdir / "broadcast.spy")
    if section.missed and profile is not None:
        section.notes.append(profile.markdown("Profile of the bot during the broadcast"))
    return section
