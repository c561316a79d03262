"""Adal: a confidential, bilingual Telegram bot for reporting corruption."""
