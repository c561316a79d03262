"""The workspace in headless Chromium, opened as Telegram opens a Mini App
(tests/support/browser.py): who gets in, the language, the theme, the phone's width; an officer
working a case from the board while the chat card and the reporter's /status follow; the
screenshots of the README.

One browser for the module, on the module's event loop: the bot and the fake Bot API of each test
run there too. Every page fails its test on a console error or a CSP violation.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiogram.utils.i18n import I18n
from playwright.async_api import Browser, Page, expect

from bot.core.values import CaseStatus
from bot.ui.labels import case_status_labels
from tests.fakeapi import FakeBotAPI, FakeChat
from tests.fakeapi.fixtures import serving
from tests.support import stored_cases
from tests.support.browser import (
    DESKTOP,
    NARROW,
    PHONE,
    THEMES,
    Screen,
    case_number,
    chromium,
    filed,
    launch_hash,
    opened,
)
from tests.support.flows import BODY, cards, report
from tests.support.live import ADMIN_ID, Live, said
from tests.support.speech import spoken
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


def labels(i18n: I18n, locale: str) -> dict[str, str]:
    """The case statuses as the service reads them, in ``locale``."""
    with i18n.context(), i18n.use_locale(locale):
        return case_status_labels()


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
    """An admin, whose header holds the most, in every section, with a case of long words and
    two voices: the masked one has a player, the one kept as spoken only its download."""
    live = workspace.live
    long_words = "Қарағандыоблысыныңәкімдігі " * 6
    case = await filed(live, "astana", f"{BODY} {long_words}", place=long_words)
    await stored_cases.voice(live, case, spoken("kk"))
    await stored_cases.voice_as_spoken(live, case, spoken("ru"))
    sections = {
        "#/cases": "section#board",
        "#/deadlines": "section#deadlines",
        "#/admin": "section#admin",
        f"#/cases/{case}": f'article#case[data-case="{case}"]',
    }
    async with opened(browser, workspace.base + launch_hash(ADMIN_ID), viewport=NARROW) as screen:
        assert len(await nav_words(screen.page)) == 3
        assert await screen.width() <= 320
        for address, hook in sections.items():
            await screen.page.evaluate(f"location.hash = '{address}'")
            await screen.page.wait_for_selector(hook)
            assert await screen.width() <= 320, address
        player = screen.page.locator("ul#files audio[controls]")
        await expect(player).to_have_attribute("src", re.compile("^blob:"))
        # Its length read from the voice itself: the browser has loaded it and can play it.
        await screen.page.wait_for_function(
            "(audio) => audio.duration > 4", arg=await player.element_handle(), timeout=5000
        )
        assert await screen.page.locator("ul#files button[data-file]").count() == 1


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


async def test_a_reload_keeps_the_session_and_a_new_launch_signs_in_afresh(
    browser: Browser, workspace: Workspace
) -> None:
    """Telegram's "Reload" sends the initData already exchanged: the tab's session goes on. A
    session refused later (its person off the roster) is forgotten, and the reload is refused."""
    live = workspace.live
    officer = await live.officer("astana", username="reloading")
    async with opened(browser, workspace.base + launch_hash(officer)) as screen:
        page = screen.page
        before = await nav_words(page)
        await page.reload()
        assert await nav_words(page) == before
        mark = live.api.mark()
        live.api.send_command(live.admin, "/remove astana @reloading")
        await live.api.next_reply(live.admin, after=mark)
        await page.reload()
        notice = await page.wait_for_selector("#view .notice")
        assert await notice.inner_text() == words(live.services.i18n, "ru")["error.refused"]
        assert await page.evaluate("sessionStorage.getItem('adal.session')") is None
        assert len(screen.take("status of 401")) == 2  # the kept session, then the initData


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_an_admin_invites_removes_reads_the_charts_exports_and_filters_the_audit(
    browser: Browser, workspace: Workspace, locale: str
) -> None:
    """The admin section in each language at 320 px, every change confirmed as the page asks."""
    live = workspace.live
    await stored_cases.filed(live, "astana")
    await live.officer("astana", first_name="Асқар")
    await live.services.repositories.prefs.set_locale(
        live.services.pseudonyms.digest("user", ADMIN_ID), locale
    )
    page_words = words(live.services.i18n, locale)
    async with opened(browser, workspace.base + launch_hash(ADMIN_ID), viewport=NARROW) as screen:
        page = screen.page
        page.on("dialog", lambda dialog: dialog.accept())
        assert page_words["nav.admin"] in await nav_words(page)
        await page.evaluate("location.hash = '#/admin/departments'")
        await page.select_option("form#invite select[name=region]", "astana")
        await page.click("form#invite button[type=submit]")
        code = await page.wait_for_selector("output#invite-code code")
        assert re.fullmatch(r"/join \S+", (await code.inner_text()).strip())
        await page.click("tr[data-officer] button[data-action=remove]")
        await expect(page.locator("p#flash")).to_contain_text("Асқар")
        assert [o.removed for o in await live.services.roster.members(None, removed=True)] == [True]

        await page.evaluate("location.hash = '#/admin/stats'")
        await page.wait_for_selector("svg.chart rect.bar")
        assert await page.locator("[data-admin=stats] table").count() >= 1
        mark = live.api.mark()
        await page.click("button[data-action=export]")
        await expect(page.locator("p#flash")).to_have_text(page_words["admin.export_sent"])
        [export] = live.api.calls("sendDocument", after=mark)
        assert export.params["chat_id"] in (ADMIN_ID, str(ADMIN_ID))

        await page.evaluate("location.hash = '#/admin/audit'")
        await page.select_option("form#audit-filters select[name=action]", "export")
        await page.click("form#audit-filters button[type=submit]")
        await page.wait_for_selector("[data-admin=audit] tr[data-audit=export]")
        assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def rgb(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


# The board, the case page and the admin section (DOM hooks fixed in issue 16's plan).

MARKER = "Жолсызбетон"
"""A word typed into one report only: what the search finds, and what must not leak."""
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def card_text(live: Live, group: FakeChat, case_no: int) -> str:
    """The chat card of case ``case_no`` as it is now (with its edits)."""
    number = re.compile(rf"№ {case_no}\b")
    return next(
        text for card in cards(live.api, group) if number.search(text := card.plain_text or "")
    )


def stamped(live: Live, locale: str, template: str) -> str:
    """A history line of the card up to the officer's name: «✅ Accepted · »."""
    return said(live, locale, template).split("{who}")[0]


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_an_officer_works_a_case_from_the_board_and_the_chat_follows(
    browser: Browser, workspace: Workspace, locale: str
) -> None:
    live = workspace.live
    group = live.api.make_group(title="Astana")
    await live.link("astana", group, language=locale)
    reporter = live.person(locale)
    receipt_text = await report(reporter, "astana", body=f"{BODY} {MARKER}")
    code = next(line for line in receipt_text.splitlines() if line.count("-") == 3)
    case = await case_number(live, code)
    await filed(live, "astana", f"{BODY} (another)")
    await live.deliver()
    waiting = await filed(live, "astana", f"{BODY} {MARKER}")
    question = f"{MARKER}: когда именно это было?"
    officer = await live.officer("astana", language=locale, first_name="Aidos")
    shown = words(live.services.i18n, locale)

    async with opened(browser, workspace.base + launch_hash(officer)) as screen:
        page = screen.page
        await page.wait_for_selector("section#board")
        assert await nav_words(page) == [shown["nav.cases"], shown["nav.deadlines"]]
        assert await shown_cases(page) == {case, case + 1, waiting}
        async with screen.replaced("section#board"):
            await page.select_option("form#filters [name=status]", "delivered")
        assert await shown_cases(page) == {case, case + 1}
        async with screen.replaced("section#board"):
            await page.fill("form#filters [name=q]", MARKER.lower())
            await page.press("form#filters [name=q]", "Enter")
        assert await shown_cases(page) == {case}

        await page.click(f'ul#cases a.card[data-case="{case}"]')
        await page.wait_for_selector(f'article#case[data-case="{case}"]')
        assert MARKER in await page.inner_text('[data-field="body"]')
        before = await page.inner_text('[data-field="status"]')
        await page.click('button[data-action="accept"]')
        await expect(page.locator('button[data-action="accept"]')).to_have_count(0)
        await expect(page.locator('[data-field="status"]')).not_to_have_text(before)
        await page.click('button[data-action="ask"]')
        await page.fill('textarea[name="question"]', question)
        await page.click('button[data-action="send-question"]')
        await expect(page.locator("ul#questions > li", has_text=question)).to_have_count(1)
        await expect(page.locator("p#flash")).to_be_visible()
        awaiting = labels(live.services.i18n, locale)[CaseStatus.AWAITING_REPORTER]
        await expect(page.locator('[data-field="status"]')).to_have_text(awaiting)

    accepted = stamped(live, locale, "✅ Accepted · {who} · {time}")
    asked = stamped(live, locale, "❓ Question asked · {who} · {time}")
    await live.sender.drain(within=2)
    await live.api.until(lambda: accepted in card_text(live, group, case))
    await live.api.until(lambda: asked in card_text(live, group, case))
    mark = live.api.mark()
    status = await reporter.command(f"/status {code}", expect=f"№ {case}")
    history = status.plain_text or ""
    assert said(live, locale, "Accepted for review") in history
    assert said(live, locale, "The service asked you a question") in history
    await live.api.next_reply(
        reporter.user, after=mark, where=lambda shown: question in (shown.plain_text or "")
    )


async def test_a_case_of_another_region_is_not_found_by_its_address(
    browser: Browser, workspace: Workspace
) -> None:
    live = workspace.live
    case = await filed(live, "astana", f"{BODY} {MARKER}", place=f"{MARKER} көшесі")
    stranger = await live.officer("abai", language="ru")
    async with opened(browser, workspace.base + launch_hash(stranger)) as screen:
        await screen.page.wait_for_selector("section#board")
        assert case not in await shown_cases(screen.page)
        async with screen.replaced("#view > *"):
            await screen.page.evaluate(f"location.hash = '#/cases/{case}'")
        await screen.page.wait_for_selector("#view .notice")
        assert words(live.services.i18n, "ru")["error.not_found"] in await screen.text("#view")
        assert await screen.page.locator("article#case").count() == 0
        assert MARKER.casefold() not in (await screen.page.content()).casefold()
        assert len(screen.take("status of 404")) == 1


async def test_screenshots_of_the_board_and_a_case_light_and_dark_phone_and_desktop(
    browser: Browser, workspace: Workspace
) -> None:
    """docs/screenshots/{board,case}-{light,dark}-{phone,desktop}.png, for the README: the
    light ones in Kazakh, the dark ones in Russian. Nothing is wider than the window."""
    live = workspace.live
    group = live.api.make_group(title="Astana")
    await live.link("astana", group)
    filing = [
        ("akimat", "Астана, Сарыарқа ауданы, әкімдік ғимараты", BODY),
        ("police", "Астана, Есіл ауданы", "Инспектор на посту у въезда в город просит деньги."),
        ("healthcare", None, "Емханада кезексіз қабылдау үшін дәрігер 15 000 теңге сұрайды."),
        ("education", "Астана, №12 мектеп", "Родителей заставляют сдавать деньги на ремонт."),
    ]
    numbers = [
        await filed(live, "astana", body, sphere=sphere, place=place)
        for sphere, place, body in filing
    ]
    await live.deliver()
    case = numbers[0]
    for theme, locale in (("light", "kk"), ("dark", "ru")):
        officer = await live.officer("astana", language=locale, first_name="Aidos")
        if theme == "light":
            client = await workspace.login(officer)
            await client.post(f"cases/{case}/accept")
            await client.post(f"cases/{case}/ask", {"question": "Қай күні болды? Қай кабинетте?"})
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            url = workspace.base + launch_hash(officer, theme)
            async with opened(browser, url, viewport=viewport, theme=theme) as screen:
                await screen.page.wait_for_selector("section#board")
                await shoot(screen, f"board-{theme}-{size}.png")
                await screen.page.click(f'ul#cases a.card[data-case="{case}"]')
                await screen.page.wait_for_selector(f'article#case[data-case="{case}"]')
                await screen.page.wait_for_selector("ul#questions > li")
                await shoot(screen, f"case-{theme}-{size}.png")


async def shoot(screen: Screen, name: str) -> None:
    """The whole page into docs/screenshots/``name``, once it is no wider than the window."""
    viewport = screen.page.viewport_size
    assert viewport is not None
    assert await screen.width() <= viewport["width"], name
    await screen.page.screenshot(path=SCREENSHOTS / name, full_page=True)


async def shown_cases(page: Page) -> set[int]:
    numbers = await page.locator("ul#cases li > a.card").evaluate_all(
        "(cards) => cards.map((card) => card.dataset.case)"
    )
    return {int(number) for number in numbers}
