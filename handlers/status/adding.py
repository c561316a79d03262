"""Adding information (text or files) to the report being checked."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.cases.service import CaseService
from bot.reports import keyboards
from bot.reports.checks import StatusChecks
from bot.reports.evidence import incoming_file
from bot.reports.intake import FileIntake
from bot.reports.service import ReportService
from bot.reports.status import StatusForm
from bot.settings import Settings
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.replies import send
from handlers.filters import EVIDENCE, NOT_COMMAND, ROUND_VIDEO, TYPED_TEXT
from handlers.status.shared import (
    added_text,
    adding_prompt,
    closed,
    ended,
    refuse_round_video,
    refused,
    running,
    store_file,
)
from handlers.uploads import confirmed

MAX_NOTE_CHARS = 4000


def get_router() -> Router:
    router = Router(name="status.adding")

    @router.callback_query(StatusForm.viewing, ActionCB.filter(F.action == Action.ADD_INFO))
    async def add_info(
        query: CallbackQuery,
        state: FSMContext,
        checks: StatusChecks,
        user_key: bytes,
        view: ViewContext,
        cases: CaseService,
    ) -> None:
        check = checks.get(user_key)
        if check is None:
            await ended(query, state, view)
            return
        if not await cases.takes_additions(check.report_id):
            await query.answer()
            await closed(query, state, checks, user_key, view)
            return
        await state.set_state(StatusForm.adding)
        await send(query, adding_prompt(), keyboards.finish())
        await query.answer()

    @router.message(StatusForm.adding, TYPED_TEXT)
    async def add_text(
        message: Message,
        state: FSMContext,
        reports: ReportService,
        cases: CaseService,
        event_update: Update,
        checks: StatusChecks,
        user_key: bytes,
        view: ViewContext,
    ) -> None:
        text = (message.text or "").strip()
        check = await running(message, state, checks, user_key, view, event_update)
        if check is None or not text:
            return
        report_id = check.report_id
        if await refused(message, state, checks, user_key, view, reports, cases, report_id):
            return
        if len(text) > MAX_NOTE_CHARS:
            await message.answer(
                _("Please split it: one message can hold at most {limit} characters.").format(
                    limit=MAX_NOTE_CHARS
                )
            )
            return
        await cases.add_information(report_id, text)
        check.last_addition = event_update.update_id
        await message.answer(added_text(), reply_markup=keyboards.finish())

    @router.message(StatusForm.adding, EVIDENCE)
    async def add_file(
        message: Message,
        state: FSMContext,
        reports: ReportService,
        intake: FileIntake,
        cases: CaseService,
        bot: Bot,
        user_key: bytes,
        view: ViewContext,
        event_update: Update,
        checks: StatusChecks,
        settings: Settings,
    ) -> None:
        file = incoming_file(message)
        check = await running(message, state, checks, user_key, view, event_update)
        if check is None or file is None:
            return
        report_id = check.report_id
        if await refused(message, state, checks, user_key, view, reports, cases, report_id):
            return
        added = await store_file(
            message,
            bot,
            intake,
            reports,
            report_id,
            file,
            user_key,
            view,
            voice_minutes=settings.max_voice_minutes,
        )
        if added is None:
            return
        await cases.relay_file(report_id, added.id)
        check.last_addition = event_update.update_id
        await message.answer(confirmed(added, added_text()), reply_markup=keyboards.finish())

    @router.message(StatusForm.adding, ROUND_VIDEO)
    async def add_round_video(message: Message) -> None:
        await refuse_round_video(message)

    @router.message(StatusForm.adding, NOT_COMMAND)
    async def add_expected(message: Message) -> None:
        await message.answer(adding_prompt(), reply_markup=keyboards.finish())

    return router
