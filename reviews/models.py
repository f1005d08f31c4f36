"""The monthly account-health review: cycles, store reviews, checklist, sign-off, client reports."""
