"""Answering a question of the service, and «Done» after answering or adding information."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.cases.service import CaseService
from bot.reports import keyboards
from bot.reports.checks import StatusChecks
from bot.reports.dialog import resume_or_clear
from bot.reports.evidence import incoming_file
from bot.reports.intake import FileIntake
from bot.reports.service import ReportService
from bot.reports.status import StatusForm
from bot.settings import Settings
from bot.ui.callbacks import Action, ActionCB, AnswerCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice, present, send
from handlers.filters import EVIDENCE, NOT_COMMAND, ROUND_VIDEO, TYPED_TEXT
from handlers.status.shared import (
    answer_prompt,
    answered_text,
    enter,
    full,
    refuse_round_video,
    running,
    store_file,
)
from handlers.uploads import confirmed


def get_router() -> Router:
    router = Router(name="status.answering")

    @router.callback_query(AnswerCB.filter())
    async def answer_start(
        query: CallbackQuery,
        callback_data: AnswerCB,
        state: FSMContext,
        cases: CaseService,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        chat_id = query.message.chat.id if query.message else 0
        viewed = checks.get(user_key)
        report_id = await cases.answerable(
            callback_data.question, chat_id, viewed.report_id if viewed else None
        )
        if report_id is None:
            await notice(query, _("This question is closed or already answered."))
            return
        await enter(state, checks, user_key)
        await state.set_state(StatusForm.answering)
        checks.start(user_key, report_id, callback_data.question)
        await query.answer()
        await send(query, answer_prompt(), keyboards.finish())

    @router.message(StatusForm.answering, TYPED_TEXT)
    async def answer_text(
        message: Message,
        state: FSMContext,
        cases: CaseService,
        reports: ReportService,
        event_update: Update,
        checks: StatusChecks,
        user_key: bytes,
        view: ViewContext,
    ) -> None:
        text = (message.text or "").strip()
        check = await running(message, state, checks, user_key, view, event_update)
        if check is None or not text:
            return
        if await full(message, reports, check.report_id):
            return
        await cases.answer_text(check.question_id or "", text)
        check.last_addition = event_update.update_id
        await message.answer(answered_text(), reply_markup=keyboards.finish())

    @router.message(StatusForm.answering, EVIDENCE)
    async def answer_file(
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
        if await full(message, reports, report_id):
            return
        saved = await store_file(
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
        if saved is None:
            return
        await cases.answer_file(check.question_id or "", saved.id)
        check.last_addition = event_update.update_id
        await message.answer(confirmed(saved, answered_text()), reply_markup=keyboards.finish())

    @router.message(StatusForm.answering, ROUND_VIDEO)
    async def answer_round_video(message: Message) -> None:
        await refuse_round_video(message)

    @router.message(StatusForm.answering, NOT_COMMAND)
    async def answer_expected(message: Message) -> None:
        await message.answer(answer_prompt(), reply_markup=keyboards.finish())

    @router.callback_query(
        StateFilter(StatusForm.answering, StatusForm.adding),
        ActionCB.filter(F.action == Action.DONE),
    )
    async def done(
        query: CallbackQuery,
        state: FSMContext,
        view: ViewContext,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        answering = await state.get_state() == StatusForm.answering.state
        checks.end(user_key)
        if answering:
            await present(query, _("Thank you. Your answer has been passed on to the service."))
        else:
            await present(query, _("Thank you. The information has been added to the report."))
        await resume_or_clear(query, state, view)

    return router
