"""Awareness broadcasts and the news subscribers they go to."""
