"""The admin's autocomplete answers (``/admin/autocomplete/``), offering exactly what the form accepts.

Django's ``AutocompleteJsonView`` takes the source field from the request (``app_label``, ``model_name``,
``field_name``) and lists the rows of the *related* model's admin (its ``get_queryset`` and search), checking only
that admin's view permission. In a multi-tenant admin that is not enough: the choices a form accepts for a field are
the source admin's (``TenantAdmin.related_choices``, ``TenantInline.formfield_for_foreignkey``: the agency's rows,
narrowed to the stores the person sees, and for a person the agency's assignable people), and they may be narrower
than what the related admin lists (the people list shows viewers, who cannot be made an operator).

So this view answers only for a field that a registered admin, or an inline of one, shows as an autocomplete field
(``autocomplete_fields``) to a person who may view that admin; and it offers the rows that the related admin lists
and searches *and* that the source admin's own form field accepts, so that what is offered and what is accepted
are one set by construction. Anything else is refused as Django refuses a malformed request (403).
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied


def autocomplete_admins(admin_site, model, field_name):
    """The admins of ``admin_site`` (registered ModelAdmins, and inlines instantiated for their parent's model)
    whose forms show ``model``'s field ``field_name`` as an autocomplete field, each with the admin whose view
    permission lets a person open that form: ``[(form admin, parent admin)]``."""
    found = []
    for parent in admin_site._registry.values():
        candidates = [parent, *(inline(parent.model, admin_site) for inline in parent.inlines)]
        for candidate in candidates:
            if candidate.model is model and field_name in candidate.autocomplete_fields:
                found.append((candidate, parent))
    return found


def accepted_choices(form_admin, request, field):
    """The rows the form of ``form_admin`` accepts for the relation ``field``: its form field's queryset."""
    if field.many_to_many:
        form_field = form_admin.formfield_for_manytomany(field, request)
    else:
        form_field = form_admin.formfield_for_foreignkey(field, request)
    return form_field.queryset


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """``AutocompleteJsonView`` that offers what the source field's form accepts (see the module's docstring)."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        forms = [form_admin for form_admin, parent in
                 autocomplete_admins(self.admin_site, source_field.model, source_field.name)
                 if parent.has_view_permission(request)]
        if not forms:
            raise PermissionDenied
        self.form_admin = forms[0]
        return term, model_admin, source_field, to_field_name

    def get_queryset(self):
        offered = super().get_queryset()
        accepted = accepted_choices(self.form_admin, self.request, self.source_field)
        offered = offered.filter(pk__in=accepted.values("pk"))
        if not offered.ordered:
            # A grouped list (the clients' store counts) drops the model's ordering; pages need a stable one.
            ordering = self.model_admin.get_ordering(self.request) or offered.model._meta.ordering
            offered = offered.order_by(*ordering, "pk")
        return offered
