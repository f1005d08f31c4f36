"""Writes of the Seller Support app, one module per concept: ``cases`` (cases, their timeline and status moves),
``chats`` (chat sessions, transcripts, the chat channel of a store), ``templates`` (the template library, the
categories and the policy). Each takes the agency explicitly; those a person or a key makes take the caller."""
