"""How updates flow: aiogram plumbing with no feature knowledge. Everything pinned to aiogram's
internals lives here, so an upgrade knows what to re-check."""
