"""Amazon's marketplaces: the one registry of codes, Amazon marketplace ids, regions and time zones.

The code (US, DE, JP, ...) is what the product stores and what the API and CSV files speak; the
marketplace id (ATVPDKIKX0DER, ...) is what Amazon's reports carry. Either resolves to the same entry.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    NORTH_AMERICA = "NA", _("North America")
    EUROPE = "EU", _("Europe")
    FAR_EAST = "FE", _("Far East")


@dataclass(frozen=True)
class Marketplace:
    code: str
    amazon_id: str
    name: str
    region: str
    time_zone: str
    domain: str


_ALL = [
    Marketplace("US", "ATVPDKIKX0DER", _("United States"), Region.NORTH_AMERICA, "America/Los_Angeles", "amazon.com"),
    Marketplace("CA", "A2EUQ1WTGCTBG2", _("Canada"), Region.NORTH_AMERICA, "America/Los_Angeles", "amazon.ca"),
    Marketplace("MX", "A1AM78C64UM0Y8", _("Mexico"), Region.NORTH_AMERICA, "America/Mexico_City", "amazon.com.mx"),
    Marketplace("BR", "A2Q3Y263D00KWC", _("Brazil"), Region.NORTH_AMERICA, "America/Sao_Paulo", "amazon.com.br"),
    Marketplace("UK", "A1F83G8C2ARO7P", _("United Kingdom"), Region.EUROPE, "Europe/London", "amazon.co.uk"),
    Marketplace("DE", "A1PA6795UKMFR9", _("Germany"), Region.EUROPE, "Europe/Berlin", "amazon.de"),
    Marketplace("FR", "A13V1IB3VIYZZH", _("France"), Region.EUROPE, "Europe/Paris", "amazon.fr"),
    Marketplace("IT", "APJ6JRA9NG5V4", _("Italy"), Region.EUROPE, "Europe/Rome", "amazon.it"),
    Marketplace("ES", "A1RKKUPIHCS9HS", _("Spain"), Region.EUROPE, "Europe/Madrid", "amazon.es"),
    Marketplace("NL", "A1805IZSGTT6HS", _("Netherlands"), Region.EUROPE, "Europe/Amsterdam", "amazon.nl"),
    Marketplace("SE", "A2NODRKZP88ZB9", _("Sweden"), Region.EUROPE, "Europe/Stockholm", "amazon.se"),
    Marketplace("PL", "A1C3SOZRARQ6R3", _("Poland"), Region.EUROPE, "Europe/Warsaw", "amazon.pl"),
    Marketplace("BE", "AMEN7PMS3EDWL", _("Belgium"), Region.EUROPE, "Europe/Brussels", "amazon.com.be"),
    Marketplace("TR", "A33AVAJ2PDY3EV", _("Turkey"), Region.EUROPE, "Europe/Istanbul", "amazon.com.tr"),
    Marketplace("IE", "A28R8C7NBKEWEA", _("Ireland"), Region.EUROPE, "Europe/Dublin", "amazon.ie"),
    Marketplace("JP", "A1VC38T7YXB528", _("Japan"), Region.FAR_EAST, "Asia/Tokyo", "amazon.co.jp"),
    Marketplace("AU", "A39IBJ37TRP1C6", _("Australia"), Region.FAR_EAST, "Australia/Sydney", "amazon.com.au"),
    Marketplace("SG", "A19VAU5U5O7RUS", _("Singapore"), Region.FAR_EAST, "Asia/Singapore", "amazon.sg"),
    Marketplace("IN", "A21TJRUUN4KGV", _("India"), Region.EUROPE, "Asia/Kolkata", "amazon.in"),
    Marketplace("AE", "A2VIGQ35RCS4UG", _("United Arab Emirates"), Region.EUROPE, "Asia/Dubai", "amazon.ae"),
    Marketplace("SA", "A17E79C6D8DWNP", _("Saudi Arabia"), Region.EUROPE, "Asia/Riyadh", "amazon.sa"),
    Marketplace("EG", "ARBP9OOSHTCHU", _("Egypt"), Region.EUROPE, "Africa/Cairo", "amazon.eg"),
]

BY_CODE = {m.code: m for m in _ALL}
BY_AMAZON_ID = {m.amazon_id: m for m in _ALL}
# Lazy labels: built when shown, in the reader's language (not once, in whatever language was active at import).
CHOICES = [(m.code, format_lazy("{} · {}", m.code, m.name)) for m in _ALL]


def marketplace(code_or_amazon_id):
    """The marketplace for a code (``"US"``) or an Amazon marketplace id; ``None`` if unknown.

    ``GB`` is accepted for the United Kingdom, as ISO 3166 and some ERPs spell it.
    """
    key = (code_or_amazon_id or "").strip()
    upper = key.upper()
    if upper == "GB":
        upper = "UK"
    return BY_CODE.get(upper) or BY_AMAZON_ID.get(key)


def all_marketplaces():
    return list(_ALL)
