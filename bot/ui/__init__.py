"""Presentation shared by every feature: callback data, keyboards, labels, texts, replies,
formatting."""
