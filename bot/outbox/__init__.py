"""What goes into the outbox from more than one feature: sealed text items and the admins'
alerts."""
