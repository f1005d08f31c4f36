"""Bulk work on the portfolio in the admin: assign the selected stores to an operator, and hand every store of the
selected people over to someone else (someone leaves).

Each is an admin action with a page between the selection and the change, as Django's "delete selected" has: the
list's POST shows the page (what was selected, and the choice of a person); the page's own POST (``post``) applies
it through one service (``services.stores_assign``, ``services.stores_hand_over``) or shows the page again with
the refusal on the field. The person is chosen among the agency's assignable people, with the autocomplete of an
assignment's operator, which offers exactly them. Only those who manage the portfolio (``Power.MANAGE``) are
offered these actions; anyone else who sends one is refused (403) and nothing changes.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import StoreAssignment
from ..roles import Power
from ..tenancy import caller_of

#: How many of the selected rows the page names; the others are counted.
NAMED_ON_PAGE = 20

#: The power that runs the bulk actions: moving stores between people is managing the portfolio.
RUN_BULK_ACTIONS = Power.MANAGE


def operator_field(*, agency, admin_site, label, help_text):
    """A choice among the agency's assignable people (``selectors.assignable_people``), searched as one types with
    the autocomplete of an assignment's operator, which offers exactly these people."""
    return forms.ModelChoiceField(
        queryset=selectors.assignable_people(agency=agency).order_by("email"), label=label, help_text=help_text,
        widget=AutocompleteSelect(StoreAssignment._meta.get_field("user"), admin_site),
    )


class AssignStoresForm(forms.Form):
    def __init__(self, *args, agency, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"] = operator_field(
            agency=agency, admin_site=admin_site, label=_("Operator"),
            help_text=_("They become responsible for every selected store as well; the stores' other operators "
                        "stay."),
        )


class HandOverForm(forms.Form):
    def __init__(self, *args, agency, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"] = operator_field(
            agency=agency, admin_site=admin_site, label=_("Hand over to"),
            help_text=_("Every store of the selected people moves to this person: their assignments end and this "
                        "person's begin."),
        )


def add_refusal(form, error):
    """A service's ``ValidationError`` on the form: on the field it names when the form has it, else above it."""
    for field, field_messages in getattr(error, "message_dict", {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, field_messages)


def with_managers_action(model_admin, request, actions, function):
    """``actions`` (``get_actions``) with the action ``function`` added when the person may run bulk actions, and
    where Django offers actions at all (not in a popup, not on an admin without actions)."""
    if model_admin.actions is None or IS_POPUP_VAR in request.GET or not caller_of(request).can(RUN_BULK_ACTIONS):
        return actions
    func, name, description = model_admin.get_action(function)
    return {**actions, name: (func, name, description)}


def refuse_unless_offered(model_admin, request, name):
    """A POST of the bulk action ``name`` by someone it is not offered to is refused (403), not ignored."""
    if request.method == "POST" and request.POST.get("action") == name and name not in model_admin.get_actions(request):
        raise PermissionDenied


def confirmed_action(model_admin, request, queryset, *, form_class, title, intro, named, submit_label, apply):
    """Run an action with a page between the selection and the change.

    1. Nothing selected that the person sees (only rows of another agency, say): Django's "Items must be
       selected" warning, as if nothing had been selected, and nothing changes.
    2. The list's POST: the page, with ``intro``, the selected rows (``named(rows)`` gives their labels) and the
       form, and a button that says what it does (``submit_label``).
    3. The page's POST (``post``): a valid form is handed to ``apply(cleaned_data)`` in one transaction, which
       returns the messages to show; a refusal (``ValidationError``) shows the page again with it, nothing written.
    """
    if not queryset.exists():
        model_admin.message_user(request, gettext("Items must be selected in order to perform actions on them. No "
                                                  "items have been changed."), messages.WARNING)
        return None
    agency = caller_of(request).agency
    form = form_class(request.POST if "post" in request.POST else None, agency=agency,
                      admin_site=model_admin.admin_site)
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                summaries = apply(form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            for summary in summaries:
                model_admin.message_user(request, summary, messages.SUCCESS)
            return None

    select_across = request.POST.get("select_across") == "1"
    rows = list(queryset[:NAMED_ON_PAGE])
    total = queryset.count() if len(rows) == NAMED_ON_PAGE else len(rows)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro(total),
        "named": named(rows),
        "more": total - len(rows),
        "form": form,
        "submit_label": submit_label,
        "opts": model_admin.model._meta,
        "media": model_admin.media + form.media,
        "action_name": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        # Select-all carries on as it came (the list's filters ride in the page's address); otherwise the page
        # carries the selected rows the person sees, never an id of a row they do not.
        "selected": (request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if select_across
                     else queryset.prefetch_related(None).values_list("pk", flat=True)),
        "select_across": select_across,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/accounts/bulk_action_confirmation.html", context)


class AssignStoresAction:
    """The store list's action "Assign to an operator…" (``services.stores_assign``)."""

    def get_actions(self, request):
        return with_managers_action(self, request, super().get_actions(request), AssignStoresAction.assign_to_operator)

    def changelist_view(self, request, extra_context=None):
        refuse_unless_offered(self, request, "assign_to_operator")
        return super().changelist_view(request, extra_context)

    def assign_to_operator(self, request, queryset):
        agency = caller_of(request).agency

        def apply(data):
            person = data["user"]
            selected = queryset.count()
            assigned = services.stores_assign(agency=agency, stores=queryset, user=person, by=request.user)
            summaries = [ngettext("%(count)d store assigned to %(person)s.",
                                  "%(count)d stores assigned to %(person)s.", assigned)
                         % {"count": assigned, "person": person}]
            if selected > assigned:
                summaries.append(ngettext("%(count)d of the selected stores was theirs already.",
                                          "%(count)d of the selected stores were theirs already.",
                                          selected - assigned) % {"count": selected - assigned})
            return summaries

        return confirmed_action(
            self, request, queryset, form_class=AssignStoresForm, title=gettext("Assign to an operator"),
            intro=lambda total: ngettext("Choose the operator to make responsible for the selected store.",
                                         "Choose the operator to make responsible for the %(count)d selected stores.",
                                         total) % {"count": total},
            named=lambda stores: [str(store) for store in stores], submit_label=gettext("Assign"), apply=apply,
        )

    assign_to_operator.short_description = _("Assign to an operator…")


class HandOverStoresAction:
    """The member list's action "Hand over their stores to…" (``services.stores_hand_over``), for someone who
    leaves or moves on."""

    def get_actions(self, request):
        return with_managers_action(self, request, super().get_actions(request), HandOverStoresAction.hand_over_stores)

    def changelist_view(self, request, extra_context=None):
        refuse_unless_offered(self, request, "hand_over_stores")
        return super().changelist_view(request, extra_context)

    def hand_over_stores(self, request, queryset):
        agency = caller_of(request).agency
        queryset = queryset.select_related("user")

        def apply(data):
            receiver = data["to_user"]
            summaries = []
            for membership in queryset:
                count = services.stores_hand_over(agency=agency, from_user=membership.user, to_user=receiver,
                                                  by=request.user)
                summaries.append(ngettext("%(count)d store handed over from %(giver)s to %(receiver)s.",
                                          "%(count)d stores handed over from %(giver)s to %(receiver)s.", count)
                                 % {"count": count, "giver": membership.user, "receiver": receiver})
            return summaries

        def named(memberships):
            stores = dict(StoreAssignment.objects.filter(agency=agency, user__in=[m.user_id for m in memberships])
                          .order_by().values_list("user").annotate(total=Count("id")))
            return [ngettext("%(person)s: %(count)d store", "%(person)s: %(count)d stores",
                             stores.get(m.user_id, 0)) % {"person": m.user, "count": stores.get(m.user_id, 0)}
                    for m in memberships]

        return confirmed_action(
            self, request, queryset, form_class=HandOverForm, title=gettext("Hand over their stores"),
            intro=lambda total: ngettext("Choose who takes over every store of the selected person.",
                                         "Choose who takes over every store of the %(count)d selected people.",
                                         total) % {"count": total},
            named=named, submit_label=gettext("Hand over"), apply=apply,
        )

    hand_over_stores.short_description = _("Hand over their stores to…")
