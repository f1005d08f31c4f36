"""What the monthly review's actions need, as powers of ``accounts.roles`` (one table for the API and the admin).
Reading what one sees needs no power: everyone of the agency reads the reviews of the stores they see (an operator,
those of their own stores)."""

from accounts.roles import Power

#: Answer a review's checklist, refresh its summary, start and submit it (operators: the reviews of their stores).
WORK_ON_REVIEWS = Power.WORK_ON_STORES
#: Approve or return a submitted review: the manager's sign-off (operators never approve).
SIGN_OFF_REVIEWS = Power.MANAGE
#: Open a cycle by hand, set the review policy, write a new version of the checklist.
MANAGE_REVIEWS = Power.MANAGE
