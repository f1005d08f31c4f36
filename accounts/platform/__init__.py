"""The pieces every app of the product builds on, each in a module named for what it is.

* ``api/``: the REST API's authentication (API keys), permissions (powers of the caller), throttling, parsers,
  error bodies, paginations, schema, and the bases an app's endpoints import: ``mixins.TenantViewMixin``,
  ``fields.AgencyRelatedField`` and friends, ``filters.IdFilter``;
* ``admin_site``: the agency-scoped admin site and the bases of every app's admin (``TenantAdmin``,
  ``TenantInline``, ``ReadOnlyAdminMixin``);
* ``commands``: the base of management commands that work on one agency (``--agency SLUG``);
* ``tasks``: queueing a task after the transaction commits, surviving a broker outage;
* ``service_health``: ``/healthz``.

Tenancy (``accounts.tenancy``), the extension seam (``accounts.extensions``) and the audit trail
(``accounts.audit``) are platform pieces too; they sit at the top of ``accounts`` because every app names them.
"""
