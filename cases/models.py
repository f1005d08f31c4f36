"""Seller Support: cases, HR chat sessions and messages, the message-template library."""
