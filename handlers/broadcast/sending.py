"""Sending the broadcast reviewed, now or at a moment the admin chooses."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.compose import BroadcastDraft, BroadcastForm
from bot.broadcasts.service import (
    BroadcastService,
    MomentProblem,
    Request,
    check_moment,
    parse_moment,
)
from bot.settings import Settings
from bot.ui.callbacks import ComposeAction, ComposeCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment
from bot.ui.replies import notice, present, send
from handlers.filters import NOT_COMMAND


def get_router() -> Router:
    router = Router(name="broadcast.sending")

    @router.callback_query(BroadcastForm.review, ComposeCB.filter(F.action == ComposeAction.SEND))
    async def send_now(
        query: CallbackQuery,
        state: FSMContext,
        broadcasts: BroadcastService,
        settings: Settings,
        view: ViewContext,
    ) -> None:
        shown = query.message.message_id if query.message else None
        request = await _request(query, state, view, progress_message_id=shown)
        broadcast_id = await broadcasts.create(request)
        await state.clear()
        row = await broadcasts.get(broadcast_id)
        if row is not None:
            await present(
                query,
                broadcast_views.progress(
                    row, await broadcasts.tally(row), settings.broadcast_rate, view
                ),
                broadcast_views.control_keyboard(row),
            )

    @router.callback_query(
        BroadcastForm.review, ComposeCB.filter(F.action == ComposeAction.SCHEDULE)
    )
    async def ask_moment(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        await state.set_state(BroadcastForm.schedule)
        now = datetime.now(UTC)
        await present(
            query,
            _(
                "When should it go out? Choose below, or send the date and time ({zone}), for "
                "example <code>{example}</code>."
            ).format(zone=view.zone, example=broadcast_views.schedule_example(now, view.zone)),
            broadcast_views.schedule_keyboard(now, view),
        )

    @router.message(BroadcastForm.schedule, F.text, NOT_COMMAND)
    async def moment_typed(
        message: Message, state: FSMContext, broadcasts: BroadcastService, view: ViewContext
    ) -> None:
        now = datetime.now(UTC)
        await _schedule(
            message, state, broadcasts, view, parse_moment(message.text or "", view.zone, now)
        )

    @router.callback_query(BroadcastForm.schedule, ComposeCB.filter(F.action == ComposeAction.AT))
    async def moment_chosen(
        query: CallbackQuery,
        callback_data: ComposeCB,
        state: FSMContext,
        broadcasts: BroadcastService,
        view: ViewContext,
    ) -> None:
        if not callback_data.arg.isdigit():
            await notice(query, _("This button is no longer active."))
            return
        await query.answer()
        moment = datetime.fromtimestamp(int(callback_data.arg), view.zone)
        await _schedule(query, state, broadcasts, view, check_moment(moment, datetime.now(UTC)))

    return router


async def _request(
    event: Message | CallbackQuery,
    state: FSMContext,
    view: ViewContext,
    *,
    at: float | None = None,
    progress_message_id: int | None = None,
) -> Request:
    draft = BroadcastDraft.from_data(await state.get_data())
    user = event.from_user
    return Request(
        content=draft.content(),
        audience=draft.chosen_audience(),
        admin_id=user.id if user else 0,
        admin_chat_id=event.chat.id if isinstance(event, Message) else (user.id if user else 0),
        admin_locale=view.locale,
        at=at,
        progress_message_id=progress_message_id,
    )


async def _schedule(
    event: Message | CallbackQuery,
    state: FSMContext,
    broadcasts: BroadcastService,
    view: ViewContext,
    moment: datetime | MomentProblem,
) -> None:
    """Schedule for ``moment``; a moment refused is explained, with the choices again."""
    if isinstance(moment, MomentProblem):
        now = datetime.now(UTC)
        await send(
            event,
            _moment_error(moment, broadcast_views.schedule_example(now, view.zone)),
            broadcast_views.schedule_keyboard(now, view),
        )
        return
    request = await _request(event, state, view, at=moment.timestamp())
    broadcast_id = await broadcasts.create(request)
    await state.clear()
    await send(
        event,
        _(
            "🕒 Broadcast № {number} is scheduled for {when}. /broadcasts lists it; you can "
            "cancel it there."
        ).format(number=broadcast_id, when=format_moment(moment, view.zone, view.locale)),
    )


def _moment_error(error: MomentProblem, example: str) -> str:
    return {
        MomentProblem.UNREADABLE: _(
            "I could not read that. Send the date and time like <code>{example}</code>, or "
            "choose below."
        ).format(example=example),
        MomentProblem.PAST: _("That moment has already passed. Send a later one."),
        MomentProblem.TOO_FAR: _(
            "That is too far ahead: a broadcast can be scheduled up to a year."
        ),
    }[error]
