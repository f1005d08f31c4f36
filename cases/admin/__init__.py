"""The Seller Support admin, one module per page: the cases with their timeline (``cases``), the HR chats
(``chats``), the template library and the agency's categories (``templates``) and the case and chat policy
(``policy``)."""

from . import cases, chats, policy, templates  # noqa: F401  (registration on import)
