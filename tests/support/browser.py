"""The workspace's pages in headless Chromium (Debian's ``chromium``, driven by Playwright).

A page is opened as Telegram opens a Mini App: the workspace's address with the launch
parameters in its hash (signed ``initData``, version, platform, theme), read by the stand-in for
``telegram-web-app.js`` that the fake Bot API serves. Every page fails its test on a console
error, an uncaught exception or a Content-Security-Policy violation, unless the test takes the
ones it provokes (``Screen.take``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, ViewportSize, async_playwright

from bot.core import receipt
from bot.core.clock import new_id
from bot.reports.service import Submission
from tests.fakeapi import FakeUser
from tests.support import backends
from tests.support.live import Live
from tests.support.workspace import init_data

CHROMIUM = Path(os.environ.get("ADAL_TEST_CHROMIUM", "/usr/bin/chromium"))
PHONE = ViewportSize(width=360, height=740)
NARROW = ViewportSize(width=320, height=640)
DESKTOP = ViewportSize(width=1280, height=800)
#: Telegram's theme parameters as its Android client sends them, day and night.
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#999999",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#efeff3",
    },
    "dark": {
        "bg_color": "#212d3b",
        "text_color": "#ffffff",
        "hint_color": "#7d8b99",
        "link_color": "#5eabe1",
        "button_color": "#50a8eb",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#151e27",
    },
}
#: Reports violations the browser would otherwise only print: injected by DevTools, so the
#: page's policy does not apply to it.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""
_QUERY_IDS = itertools.count(1)
#: How long a page may take to show what a test waits for.
TIMEOUT_MS = 10_000


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """One headless Chromium (as root in CI, so without its sandbox)."""
    path = installed_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


def installed_chromium() -> Path:
    """Debian's Chromium; without it the browser tests are skipped, but in CI they fail."""
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: install Debian's chromium (.ci/run does)"
        if backends.required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


def launch_hash(user: FakeUser | int | None, theme: str = "light", **signing: Any) -> str:
    """The hash Telegram opens a Mini App with: ``initData`` signed for ``user`` (with a query id
    of its own: each is exchanged once), or none for ``None``; ``signing`` for ``init_data``."""
    params: dict[str, str] = {}
    if user is not None:
        params["tgWebAppData"] = init_data(user, query_id=f"AAQ{next(_QUERY_IDS)}", **signing)
    params["tgWebAppVersion"] = "8.0"
    params["tgWebAppPlatform"] = "android"
    params["tgWebAppThemeParams"] = json.dumps(THEMES[theme], separators=(",", ":"))
    return "#" + "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())


@dataclass
class Screen:
    """A page in a browser context of its own, and the problems it reported."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def take(self, needle: str) -> list[str]:
        """Remove and return the problems that contain ``needle``: those the test provokes."""
        taken = [problem for problem in self.problems if needle in problem]
        self.problems[:] = [problem for problem in self.problems if needle not in problem]
        return taken

    async def text(self, selector: str = "body") -> str:
        return await self.page.inner_text(selector)

    async def background(self, selector: str = "body") -> str:
        """The computed background colour of ``selector``, as ``rgb(r, g, b)``."""
        color: str = await self.page.eval_on_selector(
            selector, "(node) => getComputedStyle(node).backgroundColor"
        )
        return color

    @contextlib.asynccontextmanager
    async def replaced(self, selector: str) -> AsyncIterator[None]:
        """Wait, after the block, until what ``selector`` matches is drawn anew (a filter
        applied, a page shown again): the old one is marked before."""
        await self.page.eval_on_selector(selector, "(node) => { node.dataset.old = '1'; }")
        yield
        await self.page.wait_for_selector(f"{selector}:not([data-old])")

    async def width(self) -> int:
        """How wide the page is laid out: wider than the window means a horizontal scroll."""
        width: int = await self.page.evaluate("document.documentElement.scrollWidth")
        return width


async def filed(
    live: Live, region: str, body: str, *, sphere: str = "akimat", place: str | None = None
) -> int:
    """A report stored through the service (the pages, not the chat, are under test); its case
    number."""
    code = receipt.generate()
    submission = Submission(new_id(), code, region, sphere, "week", place, body, None, "ru")
    assert await live.services.reports.submit(submission)
    return await case_number(live, code)


async def case_number(live: Live, code: str) -> int:
    """The case number of the report of receipt ``code``, as shown or as stored."""
    canonical = receipt.parse(code)
    view = None if canonical is None else await live.services.reports.lookup(canonical)
    assert view is not None and view.case_no is not None, code
    return view.case_no


@contextlib.asynccontextmanager
async def opened(
    browser: Browser, url: str, *, viewport: ViewportSize = PHONE, theme: str = "light"
) -> AsyncIterator[Screen]:
    """``url`` in a new context of ``browser``; the test fails if the page reported a problem
    it did not take."""
    context = await browser.new_context(
        viewport=viewport,
        color_scheme="dark" if theme == "dark" else "light",
        device_scale_factor=1,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    screen = Screen(page)
    page.on("console", lambda message: _console(screen, message))
    page.on("pageerror", lambda error: screen.problems.append(f"uncaught: {error}"))
    await page.add_init_script(script=_REPORT_VIOLATIONS)
    try:
        await page.goto(url)
        yield screen
    except Exception as error:
        if screen.problems:  # the likely cause of a wait that timed out
            raise AssertionError(f"the page reported problems: {screen.problems}") from error
        raise
    finally:
        await context.close()
    assert not screen.problems, f"the page reported problems: {screen.problems}"


def _console(screen: Screen, message: ConsoleMessage) -> None:
    """An error on the console is a problem."""
    if message.type == "error":
        screen.problems.append(f"console: {message.text} ({message.location.get('url', '')})")
