"""``python -m bot digest`` as a process: one digest and exit; SIGKILL half way loses nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.botprocess import START_TIMEOUT, BotProcess
from tests.fakeapi import FakeBotAPI
from tests.support.flows import BODY, cards, report
from tests.support.live import live_bot

REPORTS = 8


async def test_sigkill_during_a_digest_then_a_rerun_delivers_every_case(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    group = fake_api.make_group(title="Astana officers")
    async for live in live_bot(fake_api, tmp_path):
        await live.link("astana", group)
        for index in range(REPORTS):
            await report(live.person(), "astana", body=f"{BODY} CASE-{index:02d}")

    digest = BotProcess(fake_api, tmp_path, "digest", SEND_INTERVAL_SECONDS="0.3")
    process = await digest.launch()
    await fake_api.wait_for(
        "sendMessage",
        lambda request: "CASE-02" in str(request.params.get("text", "")),
        timeout=START_TIMEOUT,
    )
    await digest.kill()
    delivered_before = len(cards(fake_api, group))
    assert 0 < delivered_before < REPORTS, "the kill came half way through the digest"

    rerun = BotProcess(fake_api, tmp_path, "digest", SEND_INTERVAL_SECONDS="0")
    finished = await rerun.launch()
    assert await asyncio.wait_for(finished.wait(), START_TIMEOUT) == 0, rerun.log()

    texts = [message.plain_text or "" for message in cards(fake_api, group)]
    for index in range(REPORTS):
        copies = [text for text in texts if f"CASE-{index:02d}" in text]
        assert copies, f"case {index} was lost"
        assert len(copies) <= 2
        if len(copies) == 2:
            assert "🔁" in copies[1], "a resend after the crash is labelled as a possible repeat"
    assert len(texts) - REPORTS <= 1, "at most the one in-flight case is sent twice"
    assert process.returncode is not None
