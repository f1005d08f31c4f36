"""The pieces every app of the product builds on, each in a module named for what it is.

* ``api/``: the REST API's authentication (API keys), permissions (powers of the caller), throttling, parsers,
  error bodies, paginations, schema, and the bases an app's endpoints import: ``mixins.TenantViewMixin``,
  ``fields.AgencyRelatedField`` and friends, ``filters.IdFilter``;
* ``admin_site``: the agency-scoped admin site and the bases of every app's admin (``TenantAdmin``,
  ``TenantInline``, ``ReadOnlyAdminMixin``);
* ``commands``: the base of management commands that work on one agency (``--agency SLUG``);
* ``tasks``: queueing a task after the transaction commits, surviving a broker outage;
* ``service_health``: ``/healthz``;
* ``request_limits``: what every request meets before a view reads it (the body's size, whatever its content
  type; no NUL character in a query parameter).

Tenancy (``accounts.tenancy``), the extension seam (``accounts.extensions``), the audit trail
(``accounts.audit``), free text of bounded length (``accounts.free_text``) and duplicates refused by a unique
constraint reported on their field (``accounts.duplicates``) are platform pieces too; they sit at the top of
``accounts`` because every app names them (and the accounts models are built with them).
"""
