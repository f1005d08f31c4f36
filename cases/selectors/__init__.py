"""Reads of the Seller Support app, one module per concept: ``cases``, ``chats`` (the chat eligibility of a store)
and ``templates``."""
