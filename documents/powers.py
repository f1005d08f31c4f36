"""What the appeal-document library's actions need, as powers of ``accounts.roles`` (one table for the API and the
admin). Reading what one sees needs no power: everyone of the agency reads and downloads the documents of the stores
they see (an operator, those of their own stores)."""

from accounts.roles import Power

#: Upload documents, change their details, add versions and move them to the trash (operators: for their stores).
KEEP_DOCUMENTS = Power.WORK_ON_STORES
#: Open the trash and restore from it, add the agency's own document types, set the document policy.
MANAGE_LIBRARY = Power.MANAGE
