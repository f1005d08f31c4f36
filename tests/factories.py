"""Factories of the accounts app. Every factory takes an ``agency``; rows are created inside its scope."""

import datetime
import itertools

import factory
from django_scopes import scopes_disabled

from accounts import services
from accounts.models import Agency, ApiKey, Client, Membership, Store, StoreAssignment, User

_seller_ids = itertools.count(10_000_000)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ScopedFactory(factory.django.DjangoModelFactory):
    """Creates rows without an active scope (tests set rows up for several agencies at once)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    role = "operator"


class ClientFactory(ScopedFactory):
    class Meta:
        model = Client

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} Co., Ltd.")


class StoreFactory(ScopedFactory):
    class Meta:
        model = Store

    agency = factory.SubFactory(AgencyFactory)
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    name = factory.Sequence(lambda n: f"Store {n}")
    marketplace = "US"
    seller_id = factory.LazyFunction(lambda: f"A{next(_seller_ids)}X")
    registered_on = datetime.date(2023, 1, 15)


class StoreAssignmentFactory(ScopedFactory):
    class Meta:
        model = StoreAssignment

    store = factory.SubFactory(StoreFactory)
    agency = factory.SelfAttribute("store.agency")
    user = factory.SubFactory(UserFactory)


def make_api_key(agency, *, access="read_write", name="ERP"):
    """A key and its raw secret: ``(api_key, "Api-Key <raw>")`` ready for the Authorization header."""
    with scopes_disabled():
        api_key, raw = services.api_key_create(agency=agency, name=name, access=access)
    return api_key, f"Api-Key {raw}"


__all__ = ["AgencyFactory", "UserFactory", "MembershipFactory", "ClientFactory", "StoreFactory",
           "StoreAssignmentFactory", "make_api_key", "ApiKey"]
