"""What the Seller Support actions need, as powers of ``accounts.roles`` (one table for the API and the admin).
Reading what one sees needs no power: everyone of the agency reads the cases and chats of the stores they see (an
operator, those of their own stores)."""

from accounts.roles import Power

#: Log and work on cases and chats, paste transcripts, attach documents, flag a bulk deletion of listings
#: (operators: for their stores).
WORK_ON_CASES = Power.WORK_ON_STORES
#: Record that Amazon opened the chat channel anyway, lift a freeze, write templates, add categories, set the
#: case and chat policy.
MANAGE_CASES = Power.MANAGE
