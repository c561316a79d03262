"""A citizen's report dialog over the mocked session (tests/support/harness.py)."""

from __future__ import annotations

from bot.core import receipt
from tests.support.harness import Citizen, buttons, texts

BODY = "Инспектор ГАИ на посту у въезда в город потребовал 50 000 тенге за непроверку документов."


async def fill_report(citizen: Citizen, *, region: str = "abai", contact: bool = False) -> list:
    """Walk the dialog from /report to the review screen; returns the last requests."""
    await citizen.say("/report")
    await citizen.press(f"rg:{region}")
    await citizen.press("sp:police")
    await citizen.press("wh:week")
    await citizen.say("Пост ДПС на трассе Алматы — Талдыкорган")
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.photo(b"\xff\xd8jpeg-bytes")
    await citizen.press("do:done")
    return await citizen.press("do:cyes" if contact else "do:cno")


async def reach_text_step(citizen: Citizen) -> None:
    await citizen.say("/report")
    for data in ("rg:abai", "sp:police", "wh:today", "do:skip"):
        await citizen.press(data)


async def read_book(citizen: Citizen, first: list) -> str:
    """Every page of /help or /privacy, turned with its section buttons, as one text."""
    pages = [texts(first)[-1]]
    for data in buttons(first).values():
        pages.append(texts(await citizen.press(data))[-1])
    return "\n\n".join(pages)


def receipt_code(requests: list) -> str:
    for text in texts(requests):
        for line in text.splitlines():
            code = receipt.parse(line.replace("<code>", "").replace("</code>", ""))
            if code:
                return code
    raise AssertionError(f"no receipt code in {texts(requests)}")


async def submit_report(citizen: Citizen) -> str:
    await fill_report(citizen)
    return receipt_code(await citizen.press("do:submit"))
