"""The Seller Support routes whose POST body names rows of the agency that the walkers cannot find as serializer
fields (see ``tests/isolation/rows.py``'s ``PayloadRoute``)."""

from tests.isolation.rows import PayloadRoute


def _new_case(persona):
    """A case of the agency's assigned store."""
    return {"store": persona.assigned_store.pk, "subject": f"Listing removed at {persona.assigned_store.name}",
            "category": "listing_removal", "asins": ["B0CXYZ1234"], "priority": "normal"}


PAYLOAD_ROUTES = {
    "api:case-list": PayloadRoute(payload=_new_case, references=("store", "alert", "assignee")),
}
