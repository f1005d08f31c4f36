"""The monthly review's admin, one module per page: the store reviews with the manager's board and a review's page
(``reviews``, ``board``, ``review_page``), the cycles and opening one by hand (``cycles``), the checklist's versions
(``checklist``) and the review policy (``policy``)."""

from . import checklist, cycles, policy, reviews  # noqa: F401  (registration on import)
