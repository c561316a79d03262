"""What several parts of the report dialog say or do."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.reports import keyboards
from bot.reports.dialog import show_step
from bot.reports.draft import MAX_BODY_CHARS, Draft, next_step
from bot.reports.views import body_progress, button_hint, files_hint
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number


async def advance(
    event: Message | CallbackQuery, state: FSMContext, draft: Draft, step: State, view: ViewContext
) -> None:
    target = next_step(step, draft)
    draft.editing = False
    await show_step(event, state, draft, target, view)


async def files_expected(message: Message, draft: Draft, view: ViewContext) -> None:
    await evidence_answer(
        message, draft, view, _("This step expects a photo, video, document or voice message.")
    )


async def evidence_answer(message: Message, draft: Draft, view: ViewContext, said: str) -> None:
    """``said`` about what the evidence step did not take, then where the step stands."""
    await message.answer(
        said + " " + files_hint(draft, view.locale),
        reply_markup=keyboards.evidence(has_files=bool(draft.files)),
    )


def too_long(draft: Draft, locale: str) -> str:
    said = _("With this text the description would be longer than {limit} characters.").format(
        limit=format_number(MAX_BODY_CHARS, locale)
    )
    return said + " " + body_progress(draft, locale) if draft.body else said


def shorter(draft: Draft) -> str:
    """What to do about a part that does not fit, naming «Done» only where it is shown."""
    if not draft.body:
        return _("Please send a shorter text.")
    return button_hint(
        _("Send a shorter part, or press «{button}» to keep what is saved."),
        keyboards.done_label(),
    )
