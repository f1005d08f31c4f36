"""The categories of a Seller Support case or HR chat: the one registry of the built-in categories.

A category is a code (what the database, the API and the CSV speak) with a label. The built-in ones are the issue
types Seller Support's chat asks the seller to choose (DOMAIN.md: choosing the right category matters since an AI
assistant takes the first turn). Agencies add their own (a model of this app, with the same code rule,
``category_code_validator``); the message templates are kept by category.
"""

from dataclasses import dataclass

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CaseCategory:
    """A category of case: ``built_in`` is false for an agency's own."""

    code: str
    label: str
    built_in: bool = True


ACCOUNT_HEALTH = "account_health"
LISTING_REMOVAL = "listing_removal"
BRAND_REGISTRY = "brand_registry"
TWO_STEP_VERIFICATION = "two_step_verification"
CATEGORY_APPROVAL = "category_approval"
A_PLUS_CONTENT = "a_plus_content"
PAYMENTS = "payments"
OTHER = "other"

BUILT_IN = (
    CaseCategory(ACCOUNT_HEALTH, _("Account health")),
    CaseCategory(LISTING_REMOVAL, _("Listing removal")),
    CaseCategory(BRAND_REGISTRY, _("Brand Registry")),
    CaseCategory(TWO_STEP_VERIFICATION, _("Two-step verification")),
    CaseCategory(CATEGORY_APPROVAL, _("Category approval")),
    CaseCategory(A_PLUS_CONTENT, _("A+ content")),
    CaseCategory(PAYMENTS, _("Payments")),
    CaseCategory(OTHER, _("Other")),
)

BY_CODE = {category.code: category for category in BUILT_IN}
# Lazy labels: built when shown, in the reader's language.
CHOICES = [(category.code, category.label) for category in BUILT_IN]

#: The same rule as a document type's code (``documents.models.type_code_validator``), so an agency's codes read
#: alike everywhere.
category_code_validator = RegexValidator(
    r"\A[a-z][a-z0-9_]{1,39}\Z",  # \Z, not $: a trailing new line is not part of a code
    _("“%(value)s” is not a category code: a code is 2 to 40 lower-case letters, digits and underscores, starting "
      "with a letter."))


def built_in(code):
    """The built-in category with ``code``; ``None`` if there is none."""
    return BY_CODE.get(code)


def all_built_in():
    return list(BUILT_IN)
