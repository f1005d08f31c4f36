"""The document types of the appeal-document library: the one registry of the built-in types, their freshness rule,
and the default appeal kit.

A type is a code (what the database, the API and the CSV speak) with a label and a freshness rule:

* ``EXPIRY``: the paper is good until its expiry date (an ID card, a business licence); past it, it is stale;
* ``ISSUED_WITHIN``: the paper is good for a number of days from its issue date (a utility bill proving the address,
  a supplier invoice, a card statement); the days are the agency's (``DocumentPolicy``);
* ``NONE``: the paper does not age (a screenshot, a plan of action); an expiry date, when given, still applies.

Agencies add their own types (``documents.models.DocumentType``, with the same rules); ``documents.selectors
.document_types`` lists both, built-ins first.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class FreshnessRule(models.TextChoices):
    EXPIRY = "expiry", _("Stale past its expiry date")
    ISSUED_WITHIN = "issued_within", _("Stale a number of days after its issue date")
    NONE = "none", _("Does not age")


@dataclass(frozen=True)
class DocumentType:
    """A type of document: ``max_age_policy`` names the ``DocumentPolicy`` field that holds the days an
    ``ISSUED_WITHIN`` paper stays fresh (a built-in type); ``max_age_days`` holds them for an agency's own type."""

    code: str
    label: str
    rule: str
    max_age_policy: str = ""
    max_age_days: int | None = None
    built_in: bool = True


LEGAL_REPRESENTATIVE_ID = "legal_representative_id"
BUSINESS_LICENCE = "business_licence"
BRAND_AUTHORISATION = "brand_authorisation"
ADDRESS_PROOF = "address_proof"
SUPPLIER_INVOICE = "supplier_invoice"
CARD_STATEMENT = "card_statement"
EVIDENCE_SCREENSHOT = "evidence_screenshot"
PLAN_OF_ACTION = "plan_of_action"
OTHER = "other"

BUILT_IN = (
    DocumentType(LEGAL_REPRESENTATIVE_ID, _("Legal representative's ID"), FreshnessRule.EXPIRY),
    DocumentType(BUSINESS_LICENCE, _("Business licence"), FreshnessRule.EXPIRY),
    DocumentType(BRAND_AUTHORISATION, _("Brand authorisation"), FreshnessRule.EXPIRY),
    DocumentType(ADDRESS_PROOF, _("Address proof (utility bill)"), FreshnessRule.ISSUED_WITHIN,
                 max_age_policy="address_proof_max_age_days"),
    DocumentType(SUPPLIER_INVOICE, _("Supplier invoice"), FreshnessRule.ISSUED_WITHIN,
                 max_age_policy="invoice_max_age_days"),
    DocumentType(CARD_STATEMENT, _("Credit-card statement"), FreshnessRule.ISSUED_WITHIN,
                 max_age_policy="card_statement_max_age_days"),
    DocumentType(EVIDENCE_SCREENSHOT, _("Evidence screenshot"), FreshnessRule.NONE),
    DocumentType(PLAN_OF_ACTION, _("Plan of action"), FreshnessRule.NONE),
    DocumentType(OTHER, _("Other"), FreshnessRule.NONE),
)

BY_CODE = {kind.code: kind for kind in BUILT_IN}

#: The papers an appeal needs ready and fresh, unless the agency configures its own kit.
DEFAULT_APPEAL_KIT = (LEGAL_REPRESENTATIVE_ID, BUSINESS_LICENCE, ADDRESS_PROOF, SUPPLIER_INVOICE)

#: The days a paper of an ``ISSUED_WITHIN`` type stays fresh, unless the agency says otherwise (DOMAIN.md: a utility
#: bill dated within the last 90 days).
DEFAULT_MAX_AGE_DAYS = 90


def built_in(code):
    """The built-in type with ``code``; ``None`` if there is none."""
    return BY_CODE.get(code)
