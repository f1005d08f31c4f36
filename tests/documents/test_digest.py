"""The appeal documents' section of the daily digest: what went stale or expired since the last digest and what
expires soon, of the recipient's stores only, linked, escaped, in the recipient's language; nothing when nothing."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import extensions
from accounts.tenancy import Caller
from documents import digest, overview, services, types
from documents.freshness import State
from tests.documents.factories import make_document
from tests.factories import StoreFactory

SITE = "https://ops.example.com"


def day(persona, offset):
    """The agency's today plus ``offset`` days."""
    return persona.agency.today() + datetime.timedelta(days=offset)


def yesterday_morning():
    return timezone.now() - datetime.timedelta(days=1)


def section_for(persona, user, *, language="en", since=None):
    user.language = language
    user.save(update_fields=["language"])
    with persona.scope():
        return digest.section(agency=persona.agency, recipient=user, since=since or yesterday_morning())


def licence(persona, title, *, expires_in, store=None, stores=None):
    return make_document(persona, store=store, stores=stores, type_code=types.BUSINESS_LICENCE, title=title,
                         issued_on=day(persona, -800), expires_on=day(persona, expires_in))


def change_url(document):
    return SITE + reverse("admin:documents_appealdocument_change", args=[document.pk])


def test_it_lists_what_went_bad_since_the_last_digest_and_what_expires_soon_with_links(agency_a, settings):
    settings.SITE_URL = SITE
    expired = licence(agency_a, "Licence that expired yesterday", expires_in=-1)
    stale = make_document(agency_a, type_code=types.ADDRESS_PROOF, title="Bill of day 91",
                          issued_on=day(agency_a, -91))
    expiring = licence(agency_a, "Licence expiring in 10 days", expires_in=10)
    licence(agency_a, "Licence told about yesterday", expires_in=-2)
    make_document(agency_a, type_code=types.ADDRESS_PROOF, title="Bill of day 90", issued_on=day(agency_a, -90))
    licence(agency_a, "Licence good for years", expires_in=700)

    found = section_for(agency_a, agency_a.owner)

    assert found.title == "Appeal documents"
    went_bad, soon = found.text.split("Expiring soon")
    assert f"Expired or went stale since {day(agency_a, -1).isoformat()}" in went_bad
    assert "Licence that expired yesterday" in went_bad and "Bill of day 91" in went_bad
    assert f"Expired on {day(agency_a, -1).isoformat()}." in went_bad
    assert f"stale since {day(agency_a, 0).isoformat()}" in went_bad
    assert "Licence expiring in 10 days" in soon and "(10 days left)" in soon
    assert "Bill of day 90" in soon  # its last good day is today: expiring, not stale yet
    for left_out in ("Licence told about yesterday", "Licence good for years"):
        assert left_out not in found.text and left_out not in found.html
    for document in (expired, stale, expiring):
        assert change_url(document) in found.text
        assert f'href="{change_url(document)}"' in found.html
    assert agency_a.client.name in found.html and agency_a.assigned_store.name in found.html


def test_there_is_no_section_when_nothing_went_bad_or_expires_soon(agency_a):
    licence(agency_a, "Licence good for years", expires_in=700)
    licence(agency_a, "Licence told about last week", expires_in=-7)
    make_document(agency_a, type_code=types.EVIDENCE_SCREENSHOT, title="Screenshot that never ages")

    assert section_for(agency_a, agency_a.owner) is None


def test_documents_in_the_trash_are_not_mentioned(agency_a):
    document = licence(agency_a, "Deleted licence", expires_in=5)
    with agency_a.scope():
        services.document_delete(agency=agency_a.agency, document=document,
                                  caller=Caller.person(agency=agency_a.agency, user=agency_a.owner, role="owner"))

    assert section_for(agency_a, agency_a.owner) is None


def test_an_operator_hears_only_of_the_documents_of_their_stores(agency_a):
    licence(agency_a, "Licence of the other store", expires_in=5, store=agency_a.other_store)
    licence(agency_a, "Licence of both stores", expires_in=6,
            stores=[agency_a.assigned_store, agency_a.other_store])

    mine = section_for(agency_a, agency_a.operator)
    assert "Licence of both stores" in mine.text and "Licence of the other store" not in mine.text
    assert agency_a.assigned_store.name in mine.text
    assert agency_a.other_store.name not in mine.text and agency_a.other_store.name not in mine.html

    managers = section_for(agency_a, agency_a.manager)
    assert "Licence of both stores" in managers.text and "Licence of the other store" in managers.text

    assert section_for(agency_a, agency_a.idle_operator) is None


def test_another_agencys_documents_never_appear(agency_a, agency_b):
    licence(agency_a, "A's licence", expires_in=5)
    licence(agency_b, "B's licence", expires_in=5)
    licence(agency_b, "B's expired licence", expires_in=-1)

    mine = section_for(agency_a, agency_a.owner)
    assert "A's licence" in mine.text
    assert "B's" not in mine.text and "B's" not in mine.html
    # A person of agency B gets nothing from agency A, where they are no member.
    assert section_for(agency_a, agency_b.owner) is None


def test_titles_are_escaped_in_the_html_part(agency_a):
    licence(agency_a, "<script>alert('x')</script> & licence", expires_in=3)

    found = section_for(agency_a, agency_a.owner)
    assert "<script>" not in found.html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; licence" in found.html
    assert "<script>alert('x')</script> & licence" in found.text


def test_it_is_written_in_the_recipients_language_else_the_agencys(agency_a):
    licence(agency_a, "营业执照 2026", expires_in=10)
    licence(agency_a, "Expired licence", expires_in=-1)

    chinese = section_for(agency_a, agency_a.owner, language="zh-hans")
    assert chinese.title == "申诉材料"
    assert "即将到期" in chinese.html and "营业执照 2026" in chinese.html
    assert f"{day(agency_a, 10).isoformat()} 到期（还剩 10 天）。" in chinese.text
    assert f"已于 {day(agency_a, -1).isoformat()} 过期。" in chinese.text
    assert "营业执照" in chinese.text  # the type's label

    # No language of their own: the agency's (Chinese by default); their own choice wins over it.
    assert section_for(agency_a, agency_a.manager, language="").title == "申诉材料"
    assert section_for(agency_a, agency_a.manager, language="en").title == "Appeal documents"


def test_a_long_list_is_capped_with_a_link_to_the_library_in_a_fixed_number_of_queries(agency_a, settings):
    settings.SITE_URL = SITE
    for number in range(3):
        licence(agency_a, f"Licence {number:02}", expires_in=5)
    with CaptureQueriesContext(connection) as few:
        section_for(agency_a, agency_a.owner)
    for number in range(3, digest.LISTED + 4):
        licence(agency_a, f"Licence {number:02}", expires_in=5)
    with CaptureQueriesContext(connection) as many:
        found = section_for(agency_a, agency_a.owner)

    assert len(many) == len(few)
    assert found.text.count("Licence ") == digest.LISTED
    assert "… and 4 more in the library" in found.html
    assert f'href="{SITE}{overview.documents_url(State.EXPIRING_SOON)}"' in found.html


def test_the_digest_finds_the_section_through_the_extension_seam():
    assert digest.section in extensions.digest_sections.contributions()


def test_a_line_names_a_few_of_the_stores_and_counts_the_rest(agency_a):
    stores = [StoreFactory(agency=agency_a.agency, client=agency_a.client, name=f"Store {n}")
              for n in range(digest.STORES_NAMED + 2)]
    licence(agency_a, "Licence of many stores", expires_in=4, stores=stores)

    found = section_for(agency_a, agency_a.owner)
    assert ", ".join(f"Store {n}" for n in range(digest.STORES_NAMED)) + " (+2)" in found.text
