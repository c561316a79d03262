"""The officers' and admins' web workspace (a Telegram Mini App): who gets in, and what they see."""
