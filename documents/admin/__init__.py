"""The appeal-document library's admin, one module per page: the documents (with their trash, appeal kits and
downloads), the documents' trail, the document types and the document policy. ``access`` says who may do what;
``forms`` and ``filters`` serve the documents' pages."""

from . import documents, policy, trail, types  # noqa: F401  (registration on import)
