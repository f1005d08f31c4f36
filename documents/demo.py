"""Demo data of the document library: each demo client's appeal kit, with the few gaps a demo should show.

Every client of the demo agency gets, for all its stores, the four papers of the default appeal kit (the legal
representative's ID as a scan in PNG, the business licence, a recent utility bill as address proof, a supplier
invoice), mostly fresh, plus a few other papers (a brand authorisation, a card statement, an evidence screenshot, a
plan of action). Then the stories the pages and the digest tell:

* one client's address proof was issued ``STALE_BILL_AGE`` days ago: stale;
* one client's business licence expires in ``LICENCE_EXPIRES_IN`` days: expiring soon;
* one store is missing its supplier invoice (its client's invoice serves the client's other stores);
* one business licence has two versions (a blurred scan, then a clear one);
* one old utility bill is in the trash, restorable.

The files are real, if small: a one-page PDF and a PNG image made here, each with bytes of its own (so none is a
duplicate of another). Everything goes in through the services, uploaded by the demo manager, as a person would.
"""

import datetime
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Client, Store
from accounts.roles import Role
from accounts.tenancy import Caller

from . import services, types

#: Positions (among the demo clients, by id) of the clients whose papers tell a story.
TRASH_CLIENT, TWO_VERSIONS_CLIENT, EXPIRING_CLIENT, STALE_CLIENT, MISSING_INVOICE_CLIENT = 0, 1, 2, 3, 4
STALE_BILL_AGE = 104
LICENCE_EXPIRES_IN = 12


def _pdf_text(text):
    return text.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf_bytes(lines):
    """A valid one-page A4 PDF showing ``lines`` (ASCII) in Helvetica, with its cross-reference table."""
    text = b"BT /F1 16 Tf 20 TL 60 780 Td " + b" ".join(b"(" + _pdf_text(line) + b") Tj T*" for line in lines) \
        + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    document = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return bytes(document)


def png_bytes(colour, *, width=160, height=100):
    """A valid PNG of ``width`` × ``height`` pixels: a band of ``colour`` (an RGB triple) over white."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    band, white = bytes(colour) * width, b"\xff\xff\xff" * width
    rows = b"".join(b"\x00" + (band if row < height // 3 else white) for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def _pdf(name, *lines):
    return SimpleUploadedFile(name, pdf_bytes(["Demo document - specimen, not a real paper", *lines]),
                              content_type="application/pdf")


def _png(name, colour):
    return SimpleUploadedFile(name, png_bytes(colour), content_type="image/png")


def _kit(*, client, position, today):
    """The papers of the client at ``position``: ``(type code, upload, details)`` triples, details without the
    stores (all the client's, unless they say otherwise)."""
    def ago(days):
        return today - datetime.timedelta(days=days)

    def ahead(days):
        return today + datetime.timedelta(days=days)

    name = client.name
    licence_expires = ahead(LICENCE_EXPIRES_IN) if position == EXPIRING_CLIENT else ahead(700 + 90 * position)
    bill_issued = ago(STALE_BILL_AGE) if position == STALE_CLIENT else ago(18 + 6 * position)
    return [
        (types.LEGAL_REPRESENTATIVE_ID, _png(f"legal-representative-id-{position + 1}.png", (40, 90, 160 + position)),
         {"title": "法人身份证 Legal representative's ID", "issued_on": ago(400 + 97 * position),
          "expires_on": ahead(900 + 150 * position), "tags": ["ID"]}),
        (types.BUSINESS_LICENCE, _pdf(f"business-licence-{position + 1}.pdf", f"Business licence of {name}"),
         {"title": "营业执照 Business licence", "issued_on": ago(1500 + 30 * position),
          "expires_on": licence_expires, "notes": "Scan of the original, stamped."}),
        (types.ADDRESS_PROOF, _pdf(f"electricity-bill-{bill_issued:%Y-%m}.pdf", f"Electricity bill of {name}",
                                   f"Issued {bill_issued.isoformat()}"),
         {"title": f"电费账单 Electricity bill {bill_issued:%Y-%m}", "issued_on": bill_issued,
          "tags": ["utility bill"]}),
        (types.SUPPLIER_INVOICE, _pdf(f"supplier-invoice-{position + 1}.pdf", f"Supplier invoice to {name}"),
         {"title": f"供应商发票 Supplier invoice INV-{today:%Y}-{position + 101:04}",
          "issued_on": ago(25 + 5 * position), "tags": ["invoice"]}),
    ]


def _extras(*, client, position, today, stores):
    """A few papers beyond the kit, on some clients: ``(type code, upload, details with stores)``."""
    extras = {
        0: [(types.BRAND_AUTHORISATION, _pdf("brand-authorisation.pdf", f"Brand authorisation for {client.name}"),
             {"title": "品牌授权书 Brand authorisation", "issued_on": today - datetime.timedelta(days=200),
              "expires_on": today + datetime.timedelta(days=530), "stores": stores}),
            (types.CARD_STATEMENT, _pdf("card-statement.pdf", f"Credit-card statement of {client.name}"),
             {"title": "信用卡账单 Credit-card statement", "issued_on": today - datetime.timedelta(days=33),
              "stores": stores})],
        1: [(types.EVIDENCE_SCREENSHOT, _png("listing-screenshot.png", (200, 120, 30)),
             {"title": "Listing screenshot before the A+ rejection", "stores": stores[:1],
              "notes": "For the case on the rejected A+ content."})],
        2: [(types.PLAN_OF_ACTION, _pdf("plan-of-action.pdf", f"Plan of action of {stores[0].name}",
                                        "Root cause, corrective actions, preventive measures"),
             {"title": "Plan of action: late shipments", "stores": stores[:1]})],
    }
    return extras.get(position, [])


def load(*, agency, people):
    """Add the demo clients' papers (see the module), uploaded by the demo manager."""
    manager = people[Role.MANAGER][0]
    caller = Caller.person(agency=agency, user=manager, role=Role.MANAGER)
    today = agency.today()
    clients = list(Client.objects.filter(agency=agency).order_by("pk"))
    for position, client in enumerate(clients):
        stores = list(Store.objects.filter(agency=agency, client=client).order_by("pk"))
        if not stores:
            continue
        created = {}
        for type_code, upload, details in _kit(client=client, position=position, today=today):
            served = stores
            if type_code == types.SUPPLIER_INVOICE and position == MISSING_INVOICE_CLIENT and len(stores) > 1:
                served = stores[:-1]
            created[type_code] = services.document_create(agency=agency, caller=caller, upload=upload,
                                                          client=client, stores=served, type_code=type_code,
                                                          **details)
        for type_code, upload, details in _extras(client=client, position=position, today=today, stores=stores):
            services.document_create(agency=agency, caller=caller, upload=upload, client=client,
                                     type_code=type_code, **details)
        if position == TWO_VERSIONS_CLIENT:
            services.document_add_version(agency=agency, caller=caller, document=created[types.BUSINESS_LICENCE],
                                          upload=_pdf("business-licence-clear-scan.pdf",
                                                      f"Business licence of {client.name}", "Clear scan"))
        if position == TRASH_CLIENT:
            old_bill = today - datetime.timedelta(days=220)
            replaced = services.document_create(
                agency=agency, caller=caller, client=client, stores=stores, type_code=types.ADDRESS_PROOF,
                upload=_pdf(f"electricity-bill-{old_bill:%Y-%m}.pdf", f"Electricity bill of {client.name}",
                            f"Issued {old_bill.isoformat()}"),
                title=f"电费账单 Electricity bill {old_bill:%Y-%m}", issued_on=old_bill)
            services.document_delete(agency=agency, caller=caller, document=replaced)
