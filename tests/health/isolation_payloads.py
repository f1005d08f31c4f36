"""The health app's API routes that take rows inside their body, for the isolation suite
(``tests/isolation/test_payloads.py``): each builds a body that names one agency's stores."""

import datetime

from tests.isolation.rows import PayloadRoute

#: A day that is past in every marketplace.
DAY = "2025-01-15"
US = "ATVPDKIKX0DER"


def _bulk_snapshots(persona):
    """Rows naming the agency's store by id and by seller id."""
    return {"snapshots": [
        {"store": persona.assigned_store.pk, "date": DAY, "late_shipment_rate": 0.01},
        {"seller_id": persona.other_store.seller_id, "marketplace": persona.other_store.marketplace, "date": DAY,
         "ahr_score": 250},
    ]}


def _amazon_report(persona):
    """A minimal account-health report of the agency's US store's seller id."""
    day = datetime.date.fromisoformat(DAY)
    reporting = {"reportingDateFrom": f"{day - datetime.timedelta(days=29)}T00:00Z", "reportingDateTo": f"{day}T23:59Z"}
    return {
        "seller_id": persona.assigned_store.seller_id,
        "report": {"performanceMetrics": [{"marketplaceId": US, "lateShipmentRate": {
            "reportingDateRange": reporting, "status": "GOOD", "rate": 0.01, "targetValue": 0.04,
            "targetCondition": "LESS_THAN"}}]},
    }


PAYLOAD_ROUTES = {
    "api:health-snapshot-bulk": PayloadRoute(payload=_bulk_snapshots, references=("store", "seller_id")),
    "api:health-report": PayloadRoute(payload=_amazon_report, references=("seller_id",)),
}
