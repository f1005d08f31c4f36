"""The benchmark's own data generator: an agency with a manager, a key, clients and N stores."""

import datetime
import random
from types import SimpleNamespace

from django_scopes import scope

from accounts import marketplaces, services
from accounts.models import Client, Store, StoreAssignment, User


def build_agency(slug, store_count, *, seed=7):
    rng = random.Random(seed)
    agency = services.agency_create(slug=slug, name=slug)
    with scope(agency=agency):
        manager, _ = services.member_add(agency=agency, email=f"manager@{slug}.example", role="manager",
                                         password="bench-pass-123")
        operators = [services.member_add(agency=agency, email=f"op{i}@{slug}.example", role="operator",
                                         password="bench-pass-123")[0].user for i in range(10)]
        clients = Client.objects.bulk_create(
            [Client(agency=agency, name=f"Client {i}") for i in range(max(1, store_count // 20))]
        )
        codes = list(marketplaces.BY_CODE)
        stores = Store.objects.bulk_create([
            Store(agency=agency, client=clients[i % len(clients)], name=f"Store {i:05d}",
                  marketplace=codes[i % len(codes)], seller_id=f"A{rng.randrange(10**12, 10**13)}{i}",
                  registered_on=datetime.date(2022, 1, 1) + datetime.timedelta(days=i % 900),
                  status=rng.choice(["active", "active", "active", "at_risk", "suspended"]))
            for i in range(store_count)
        ])
        StoreAssignment.objects.bulk_create(
            [StoreAssignment(agency=agency, store=s, user=operators[i % len(operators)]) for i, s in enumerate(stores)]
        )
        _key, raw = services.api_key_create(agency=agency, name="bench", access="read")
    return SimpleNamespace(agency=agency, manager=User.objects.get(pk=manager.user_id), raw_key=raw)
