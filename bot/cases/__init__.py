"""Cases in the departments' chats: officers' actions, cards, digests, delivery, questions."""
