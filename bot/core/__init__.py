"""Plain values and rules of the domain: no aiogram, no SQL, no gettext."""
