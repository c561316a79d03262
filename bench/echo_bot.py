"""The floor: the least an aiogram bot can do per update, polled the way Adal polls.

``python -m bench.echo_bot`` answers every message with its text, through the same session class,
the same fake server and the same ``start_polling`` as ``bot.app.run_polling``; its settings come
from the same environment (``BOT_TOKEN``, ``TELEGRAM_API_URL``).
"""

from __future__ import annotations

import asyncio

from aiogram import Dispatcher
from aiogram.types import Message

from bot.app import create_bot
from bot.settings import load_settings


async def echo(message: Message) -> None:
    await message.answer(message.text or "…")


async def main() -> None:
    bot = create_bot(load_settings())
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    try:
        await dispatcher.start_polling(
            bot, allowed_updates=dispatcher.resolve_used_update_types(), handle_signals=True
        )
    finally:
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
