"""Messages of Django itself that its own Simplified Chinese catalogue lacks: Django 5.2 reworded them and its
translation did not follow. Marked here (never used) so that the product's catalogue carries them, and a person
choosing a password reads the rule in their language."""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
