"""Departments, the chats that serve them and the roster of officers."""
