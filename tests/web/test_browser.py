"""The workspace in headless Chromium, opened as Telegram opens a Mini App
(tests/support/browser.py): who gets in, the language, the theme, the phone's width.

One browser for the module, on the module's event loop: the bot and the fake Bot API of each test
run there too. Every page fails its test on a console error or a CSP violation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiogram.utils.i18n import I18n
from playwright.async_api import Browser, Page

from tests.fakeapi import FakeBotAPI
from tests.fakeapi.fixtures import serving
from tests.support.browser import (
    NARROW,
    THEMES,
    chromium,
    filed,
    launch_hash,
    opened,
)
from tests.support.flows import BODY
from tests.support.live import ADMIN_ID
from tests.support.workspace import Workspace, workspace_bot
from web.strings import ui_strings

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest_asyncio.fixture(loop_scope="module")
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async for server in serving():
        yield server


@pytest_asyncio.fixture(loop_scope="module")
async def workspace(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Workspace]:
    """The workspace with Telegram's script from the fake Bot API, as the page loads it."""
    script = f"{fake_api.base_url}/js/telegram-web-app.js"
    async for running in workspace_bot(fake_api, tmp_path, webapp_script_url=script):
        yield running


def words(i18n: I18n, locale: str) -> dict[str, str]:
    """The page's words in ``locale``, as the server sends them."""
    with i18n.context(), i18n.use_locale(locale):
        return ui_strings()


async def nav_words(page: Page) -> list[str]:
    await page.wait_for_selector("#nav a[data-section]")
    return [text.strip() for text in await page.locator("#nav a").all_inner_texts()]


async def test_an_officer_reads_the_page_in_their_language_and_switches_it(
    browser: Browser, workspace: Workspace
) -> None:
    i18n = workspace.live.services.i18n
    kk, ru = words(i18n, "kk"), words(i18n, "ru")
    assert kk["nav.cases"] != ru["nav.cases"]
    officer = await workspace.live.officer("astana", language="kk")
    async with opened(browser, workspace.base + launch_hash(officer)) as screen:
        assert await nav_words(screen.page) == [kk["nav.cases"], kk["nav.deadlines"]]
        assert await screen.page.get_attribute("html", "lang") == "kk"
        assert await screen.page.title() == kk["title"]
        await screen.page.select_option("#language", "ru")
        await screen.page.wait_for_selector("html[lang=ru]", state="attached")
        assert await nav_words(screen.page) == [ru["nav.cases"], ru["nav.deadlines"]]
    async with opened(browser, workspace.base + launch_hash(officer)) as later:
        assert await nav_words(later.page) == [ru["nav.cases"], ru["nav.deadlines"]]
        assert await later.page.input_value("#language") == "ru"


async def test_outside_telegram_the_page_says_to_open_it_from_the_bot(
    browser: Browser, workspace: Workspace
) -> None:
    default = words(workspace.live.services.i18n, workspace.live.services.settings.default_locale)
    async with opened(browser, workspace.base) as screen:
        notice = await screen.page.wait_for_selector("#view .notice")
        assert await notice.inner_text() == default["error.outside"]
        assert await screen.page.is_hidden("#top")
        await screen.page.click("#view button")
        assert await screen.page.evaluate("window.__closed") is True


async def test_the_pages_policy_blocks_inline_script_in_the_browser(
    browser: Browser, workspace: Workspace
) -> None:
    officer = await workspace.live.officer("astana")
    async with opened(browser, workspace.base + launch_hash(officer)) as screen:
        await nav_words(screen.page)
        await screen.page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.__injected = true";
              document.head.append(script);
            }"""
        )
        assert await screen.page.evaluate("window.__injected") is None
        assert any("CSP violation" in seen for seen in screen.take("script-src"))


@pytest.mark.parametrize("who", ["another-bots-signature", "removed-from-the-roster", "stranger"])
async def test_a_refused_person_sees_the_refusal_and_nothing_else(
    browser: Browser, workspace: Workspace, who: str
) -> None:
    live = workspace.live
    officer = await live.officer("astana", language="ru", username="aigul_s")
    signing = {}
    if who == "another-bots-signature":
        signing = {"token": "43:OTHER"}
    elif who == "removed-from-the-roster":
        mark = live.api.mark()
        live.api.send_command(live.admin, "/remove astana @aigul_s")
        await live.api.next_reply(live.admin, after=mark)
    else:
        officer = live.api.make_user(language_code="ru")
    async with opened(browser, workspace.base + launch_hash(officer, **signing)) as screen:
        notice = await screen.page.wait_for_selector("#view .notice")
        assert await notice.inner_text() == words(live.services.i18n, "ru")["error.refused"]
        assert await screen.page.is_hidden("#top")
        assert len(screen.take("status of 401")) == 1


@pytest.mark.parametrize("theme", list(THEMES))
async def test_telegrams_theme_colours_the_page(
    browser: Browser, workspace: Workspace, theme: str
) -> None:
    colors = THEMES[theme]
    officer = await workspace.live.officer("astana")
    async with opened(browser, workspace.base + launch_hash(officer, theme), theme=theme) as screen:
        await nav_words(screen.page)
        assert await screen.page.evaluate("Telegram.WebApp.colorScheme") == theme
        assert await screen.background() == rgb(colors["bg_color"])
        assert await screen.background("header") == rgb(colors["secondary_bg_color"])
        color = await screen.page.eval_on_selector("body", "(node) => getComputedStyle(node).color")
        assert color == rgb(colors["text_color"])


async def test_nothing_is_wider_than_a_320_pixel_phone(
    browser: Browser, workspace: Workspace
) -> None:
    """An admin, whose header holds the most."""
    async with opened(browser, workspace.base + launch_hash(ADMIN_ID), viewport=NARROW) as screen:
        assert len(await nav_words(screen.page)) == 3
        assert await screen.width() <= 320


async def test_telegrams_back_button_shows_below_a_section_and_goes_back(
    browser: Browser, workspace: Workspace
) -> None:
    officer = await workspace.live.officer("astana")
    case = await filed(workspace.live, "astana", BODY)
    async with opened(browser, workspace.base + launch_hash(officer)) as screen:
        page = screen.page
        await nav_words(page)
        assert await page.evaluate("location.hash") == "#/cases"
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is False
        async with screen.replaced("#view > *"):
            await page.evaluate(f"location.hash = '#/cases/{case}'")
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is True
        async with screen.replaced("#view > *"):
            await page.evaluate("window.__pressBack()")
        assert await page.evaluate("location.hash") == "#/cases"
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is False


def rgb(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"
