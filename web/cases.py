"""The case page: a case of the viewer's regions, its evidence files, and the officers' actions.

A case is named by its number. Each route loads it and checks it is in the viewer's regions at
that moment; a case of another region, a number that does not exist and one that is not a number
get the one ``not_found`` answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.cases.service import QUESTION_LIMIT
from bot.core.values import CaseStatus, Resolution
from bot.ui.formatting import utf16_length
from bot.workspace.case_page import Outcome
from storage.cases import CaseRow
from web.deps import DEPS
from web.security import LOCALE, VIEWER, json_body, not_found, refusal

Action = Callable[[web.Request, CaseRow, dict[str, object]], Awaitable[Outcome | web.Response]]


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/cases/{no}", case_page)
    router.add_get("/cases/{no}/files/{file}", case_file)
    router.add_post("/cases/{no}/accept", _action(accept))
    router.add_post("/cases/{no}/ask", _action(ask))
    router.add_post("/cases/{no}/close", _action(close))
    router.add_post("/cases/{no}/move", _action(move))
    router.add_post("/cases/{no}/undo", _action(undo, closed=True))


async def _case(request: web.Request) -> CaseRow | None:
    raw = request.match_info["no"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    return await request.app[DEPS].case_pages.find(request[VIEWER], int(raw))


async def case_page(request: web.Request) -> web.Response:
    case = await _case(request)
    if case is None:
        return not_found()
    pages = request.app[DEPS].case_pages
    return web.json_response(await pages.read(case, request[VIEWER], request[LOCALE]))


async def case_file(request: web.Request) -> web.Response:
    """Images and masked voices the page shows or plays inline, with their type; any other file
    as a download under its neutral name, never to be read as anything else (``nosniff``)."""
    case = await _case(request)
    found = (
        None
        if case is None
        else await request.app[DEPS].case_pages.file(case, request.match_info["file"])
    )
    if found is None:
        return not_found()
    file, data = found
    inline = file.image_type or file.audio_type
    if inline is not None:
        return web.Response(body=data, content_type=inline)
    return web.Response(
        body=data,
        content_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{file.name}"'},
    )


def _action(
    act: Action, *, closed: bool = False
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An action on an open case of the viewer's (``closed``: on a closed one, Undo): the
    updated page, whether it was done, and the chat's words for what happened."""

    async def handler(request: web.Request) -> web.Response:
        case = await _case(request)
        if case is None:
            return not_found()
        if (case.status == CaseStatus.CLOSED) != closed:
            return refusal(409, "closed" if not closed else "open")
        outcome = await act(request, case, await json_body(request) or {})
        if isinstance(outcome, web.Response):
            return outcome
        deps = request.app[DEPS]
        now = await deps.case_pages.find(request[VIEWER], case.case_no)
        page = {} if now is None else await deps.case_pages.page(now, request[LOCALE])
        return web.json_response(
            {**page, "done": outcome.done, "message": outcome.message, "visible": now is not None}
        )

    return handler


async def undo(request: web.Request, case: CaseRow, body: dict[str, object]) -> Outcome:
    return await request.app[DEPS].case_pages.undo(case, request[VIEWER])


async def accept(request: web.Request, case: CaseRow, body: dict[str, object]) -> Outcome:
    return await request.app[DEPS].case_pages.accept(case, request[VIEWER])


async def ask(
    request: web.Request, case: CaseRow, body: dict[str, object]
) -> Outcome | web.Response:
    """The chat's limits: some text, within ``QUESTION_LIMIT`` characters as Telegram counts."""
    question = body.get("question")
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        return refusal(400, "invalid", field="question", message=_("Write the question first."))
    if utf16_length(text) > QUESTION_LIMIT:
        message = _("Please keep the question under {limit} characters.").format(
            limit=QUESTION_LIMIT
        )
        return refusal(400, "invalid", field="question", message=message)
    return await request.app[DEPS].case_pages.ask(case, request[VIEWER], text)


async def close(
    request: web.Request, case: CaseRow, body: dict[str, object]
) -> Outcome | web.Response:
    resolution = body.get("resolution")
    if not isinstance(resolution, str) or resolution not in set(Resolution):
        return refusal(400, "invalid", field="resolution")
    return await request.app[DEPS].case_pages.close(case, request[VIEWER], Resolution(resolution))


async def move(
    request: web.Request, case: CaseRow, body: dict[str, object]
) -> Outcome | web.Response:
    deps = request.app[DEPS]
    region = body.get("region")
    if not isinstance(region, str) or deps.catalog.region(region) is None or region == case.region:
        return refusal(400, "invalid", field="region")
    return await deps.case_pages.move(case, request[VIEWER], region, request[LOCALE])


def strings() -> dict[str, str]:
    """The page's words for this part, by key (``web.strings``)."""
    return {
        "case.title": _("Case № {number}"),
        "case.back": _("⬅️ Back"),
        "case.what": _("What happened"),
        "case.place": _("Organisation or place"),
        "case.when": _("When"),
        "case.sphere": _("Sphere"),
        "case.region": _("Region"),
        "case.received": _("Received"),
        "case.status": _("Status"),
        "case.urgent": _("⚡ Urgent: happening now"),
        "case.deadlines": _("Deadlines"),
        "case.acceptance": _("Acceptance"),
        "case.answer": _("Answer"),
        "case.overdue": _("overdue"),
        "case.met": _("done"),
        "case.history": _("History"),
        "case.no_history": _("Nothing has been done yet."),
        "case.questions": _("Questions to the reporter"),
        "case.no_answer": _("No answer yet."),
        "case.additions": _("Added by the reporter"),
        "case.files": _("Evidence"),
        "case.no_files": _("No files."),
        "case.download": _("Download"),
        "case.actions": _("Actions"),
        "case.accept": _("✅ Accept"),
        "case.ask": _("❓ Ask the reporter"),
        "case.ask_waits": _("❓ Ask (waits for /status)"),
        "case.question": _("Your question for the reporter"),
        "case.question_empty": _("Write the question first."),
        "case.send": _("Send"),
        "case.close": _("🏁 Close"),
        "case.undo": _("↩️ Undo"),
        "case.resolution": _("Result"),
        "case.close_warning": _(
            "Close with the result «{resolution}»? The reporter will see the result."
        ),
        "case.confirm_close": _("✅ Confirm: {resolution}"),
        "case.move": _("↪️ Wrong region"),
        "case.target": _("Send to region"),
        "case.confirm_move": _("Send"),
        "case.cancel": _("✖️ Cancel"),
        "case.closed": _("This case is closed or handled in another chat."),
        "case.gone": _("The case is no longer in your regions."),
    }
