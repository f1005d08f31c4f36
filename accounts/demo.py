"""Demo data of the accounts app: clients and about 30 stores of the demo agency.

``loaddemo`` creates the agency and one person per role, then calls every ``load(agency=..., people=...)``
contributed to ``accounts.extensions.demo_data`` (this one by ``accounts/contributions.py``), in
INSTALLED_APPS order, so later apps add their own demo data after this.
"""

import datetime
import random

from . import services
from .roles import Role

DEMO_PEOPLE = [
    ("owner@demo.example", Role.OWNER, "Zhang Wei 张伟"),
    ("manager@demo.example", Role.MANAGER, "Li Na 李娜"),
    ("operator@demo.example", Role.OPERATOR, "Wang Fang 王芳"),
    ("operator2@demo.example", Role.OPERATOR, "Liu Yang 刘洋"),
    ("viewer@demo.example", Role.VIEWER, "Chen Jing 陈静"),
]

DEMO_CLIENTS = [
    ("Anker-like Electronics", "深圳市示例电子有限公司"),
    ("Blue Harbor Home", "宁波蓝港家居有限公司"),
    ("Peak Outdoor", "厦门峰顶户外用品有限公司"),
    ("Silk Road Apparel", "杭州丝路服饰有限公司"),
    ("Jade Kitchenware", "广州玉石厨具有限公司"),
]

MARKETPLACE_ROTATION = ["US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP", "AU", "NL", "SE", "PL", "AE", "SG"]
STATUS_ROTATION = ["active"] * 8 + ["at_risk", "active", "suspended", "active"]


def load(*, agency, people):
    """Create the demo portfolio. ``people`` maps a role to the demo users created for it."""
    rng = random.Random(20260116)
    operators = people[Role.OPERATOR]
    clients = [services.client_create(agency=agency, name=name, legal_name=legal) for name, legal in DEMO_CLIENTS]
    today = datetime.date.today()
    stores = []
    for number in range(30):
        client = clients[number % len(clients)]
        marketplace = MARKETPLACE_ROTATION[number % len(MARKETPLACE_ROTATION)]
        seller_id = f"A{rng.randrange(10**12, 10**13)}"
        stores.append(services.store_create(
            agency=agency,
            client=client,
            name=f"{client.name.split()[0]} {marketplace} {number // len(MARKETPLACE_ROTATION) + 1}",
            marketplace=marketplace,
            seller_id=seller_id,
            registered_on=today - datetime.timedelta(days=rng.randrange(60, 2000)),
            selling_plan="professional" if number % 10 else "individual",
            brand_registered=number % 3 == 0,
            status=STATUS_ROTATION[number % len(STATUS_ROTATION)],
            operators=[operators[number % len(operators)]] if number % 7 else [],
        ))
    return stores
