"""Who may do what with the appeal-document library in the admin: the powers of ``documents.powers``."""

from accounts.tenancy import caller_of

from ..powers import KEEP_DOCUMENTS, MANAGE_LIBRARY

__all__ = ["KEEP_DOCUMENTS", "MANAGE_LIBRARY", "may_manage_library"]


def may_manage_library(request):
    """Whether the person of ``request`` manages the library (the trash, the types, the policy)."""
    return caller_of(request).can(MANAGE_LIBRARY)
