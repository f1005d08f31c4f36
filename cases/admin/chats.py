"""HR chats in the admin: the chat list and its add and change pages, what the agency records of a store's chat
channel (a bulk deletion of listings, Amazon opening it anyway), and the freezes managers lifted.

* **Who.** Everyone of the agency reads the chats of the stores they see (operators: their stores; ``TenantAdmin``
  narrows through ``store_path``). Logging and changing chats, pasting transcripts and flagging a bulk deletion need
  ``WORK_ON_CASES``; recording that Amazon opened the channel anyway and lifting a freeze need ``MANAGE_CASES``
  (an operator sees those fields read only; the lift's add page is a 403).
* **Writes go through the services**: validating a form *is* calling them (``chat_log``, ``chat_update``,
  ``chat_transcript_set``, ``store_chat_channel_set``, ``chat_channel_open_anyway``, ``chat_freeze_lift``), so a chat
  the rules forbid comes back to the add page with every reason on the store field (the 4th of the day suggests a
  case), a message the tone check warns about on the message field (tick "log it anyway"), a transcript that cannot
  be read on the transcript field; nothing is written then.
* **Eligibility on the add page.** ``…/add/?store=<id>`` (the store's page links it) shows, under the store, whether
  it may chat now: every reason, the chats left today, the end of a freeze and the next window.
"""

import zoneinfo

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from accounts.platform.admin_filters import VisibleRowFilter
from accounts.platform.admin_site import TenantAdmin, site
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of
from documents.models import AppealDocument
from documents.selectors import documents_linked_to, visible_documents

from ..models import ChatFreezeLift, ChatSession, StoreChatChannel
from ..powers import MANAGE_CASES, WORK_ON_CASES
from ..selectors import chats as selectors
from ..selectors.templates import case_categories, category_shown, with_category_name
from ..services import chats as services


def _shown_time(moment, agency):
    return moment.astimezone(zoneinfo.ZoneInfo(agency.time_zone)).strftime("%Y-%m-%d %H:%M")


def eligibility_summary(*, agency, store, now=None):
    """Whether ``store`` may chat now, as the add page shows it under the store: every reason, the chats left
    today, the end of a freeze and the next window."""
    answer = selectors.chat_eligibility(agency=agency, store=store, now=now or timezone.now())
    start, end = answer.window
    window = gettext("Next window: %(start)s–%(end)s (%(zone)s).") % {
        "start": start.strftime("%Y-%m-%d %H:%M"), "end": end.strftime("%H:%M"), "zone": str(start.tzinfo)}
    left = gettext("Chats left today: %(count)s.") % {"count": answer.chats_left_today}
    if answer.may_chat:
        head = gettext("%(store)s may chat now.") % {"store": store}
        return format_html("<strong>{}</strong> {} {}", head, left, window)
    head = gettext("%(store)s may not chat now:") % {"store": store}
    reasons = format_html_join("", "<li>{}</li>", ((str(reason.message),) for reason in answer.reasons))
    return format_html("<strong>{}</strong><ul>{}</ul>{} {}", head, reasons, left, window)


def refuse_another_store(form):
    """On the page of a row kept for one store (its store shown read only), a POST naming another store is refused
    rather than silently ignored: the row's store never changes."""
    sent = form.data.get("store")
    if form.instance.pk is not None and "store" not in form.fields and sent not in (None, "") and (
            str(sent) != str(form.instance.store_id)):
        raise ValidationError(gettext("The store of “%(row)s” cannot be changed.") % {"row": form.instance})


class ChatForm(forms.ModelForm):
    """A chat to log (add) or change: validating it is calling the services (see the module's docstring).
    ``caller`` is set by the admin for the request."""

    caller = None

    category = forms.ChoiceField(label=_("Issue category"), widget=UnfoldAdminSelectWidget)
    transcript = forms.CharField(
        label=_("Transcript"), required=False, strip=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 8}),
        help_text=_("Paste the chat as copied from Seller Central; it is read into messages when saved. On a chat's "
                    "page, a pasted transcript replaces the one kept; leave it empty to keep it."))
    confirm_tone = forms.BooleanField(
        label=_("Log the message although the tone check warns"), required=False,
        help_text=_("Emotional or chasing words may get the store flagged for high-risk communication."))
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents used"), required=False, queryset=AppealDocument.objects.none(),
        widget=UnfoldAdminCheckboxSelectMultipleWidget, help_text=_("Documents of the library to attach."))

    class Meta:
        model = ChatSession
        # The store, the template and the case are added by the admin's form factory, in the request's scope (their
        # choices are the caller's).
        fields = ("requested_at", "connected", "agent", "message", "outcome", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        caller = self.caller
        agency = caller.agency if caller is not None else None
        if "category" in self.fields:
            found = case_categories(agency=agency) if agency is not None else {}
            self.fields["category"].choices = [("", "—"), *((code, c.label) for code, c in found.items())]
        if agency is not None:
            documents = visible_documents(agency=agency, caller=caller, trash=False).order_by("title")
            # Once the store is known (sent, or ``?store=`` on the add page), only the papers that serve it.
            store_id = object_id_or_none(str(self.data.get("store") or self.initial.get("store") or
                                             getattr(self.instance, "store_id", None) or ""))
            if store_id is not None:
                documents = documents.filter(stores=store_id).distinct()
            self.fields["documents"].queryset = documents

    def clean(self):
        data = super().clean()
        refuse_another_store(self)
        return data

    def _post_clean(self):
        # The model's own checks are the services', run once, there.
        if self.errors:
            return
        caller = self.caller
        agency = caller.agency
        data = self.cleaned_data
        try:
            if self.instance.pk is None:
                self.instance = services.chat_log(
                    agency=agency, caller=caller, store=data["store"], requested_at=data["requested_at"],
                    connected=data.get("connected", True), agent=data.get("agent", ""), category=data["category"],
                    message=data.get("message", ""), outcome=data.get("outcome", ""), case=data.get("case"),
                    transcript=data.get("transcript", ""), template_version=data.get("template_version"),
                    confirm_tone=data.get("confirm_tone", False), documents=list(data.get("documents") or ()),
                    notes=data.get("notes", ""))
            else:
                chat = ChatSession.objects.get(agency=agency, pk=self.instance.pk)
                with transaction.atomic():
                    chat = services.chat_update(
                        agency=agency, caller=caller, chat=chat,
                        **{name: data[name] for name in services.UPDATABLE if name in self.fields})
                    if str(data.get("transcript") or "").strip():
                        services.chat_transcript_set(agency=agency, caller=caller, chat=chat,
                                                     text=data["transcript"])
                    for document in data.get("documents") or ():
                        services.chat_document_attach(agency=agency, caller=caller, chat=chat, document=document)
                self.instance = chat
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                field = {"document": "documents"}.get(name, name)
                self.add_error(field if field in self.fields else None, messages)


@admin.register(ChatSession, site=site)
class ChatSessionAdmin(TenantAdmin):
    form = ChatForm
    write_power = WORK_ON_CASES
    list_display = ("store", "requested_at", "connected", "agent", "category_label", "outcome", "case")
    list_filter = ("outcome", "connected", ("store", VisibleRowFilter))
    list_filter_submit = True
    list_select_related = ("store", "case")
    search_fields = ("agent", "message", "store__name")
    search_help_text = _("Searches agents, messages and store names.")
    date_hierarchy = "requested_at"
    autocomplete_fields = ("store",)
    list_per_page = 50
    # "category" too: a declared field of the form that is read only is taken out of it (Django's admin does so).
    readonly_fields_on_change = ("store", "requested_at", "category", "category_label", "message", "template_version",
                                 "logged_by", "transcript_shown", "documents_shown")

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        agency = caller_of(request).agency
        return with_category_name(rows, agency=agency) if agency is not None else rows

    @admin.display(description=_("issue category"), ordering="category")
    def category_label(self, obj):
        return category_shown(obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("store", "requested_at", "connected", "agent", "category", "message", "confirm_tone",
                    "template_version", "outcome", "case", "notes", "transcript", "documents")
        fields = ("store", "requested_at", "category_label", "message", "template_version", "logged_by", "connected",
                  "agent", "outcome", "case", "notes", "transcript_shown", "documents_shown")
        if self.has_change_permission(request, obj):
            fields += ("transcript", "documents")
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return self.get_fields(request, obj)
        return self.readonly_fields_on_change

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form = type(form.__name__, (form,), {"caller": caller_of(request)})
        if obj is None:
            self._show_eligibility(request, form)
        return form

    def _show_eligibility(self, request, form):
        """Under the store of the add page (``?store=<id>``, or the store sent): may it chat now."""
        caller = caller_of(request)
        store_id = object_id_or_none(request.POST.get("store") or request.GET.get("store") or "")
        if caller.agency is None or store_id is None or "store" not in form.base_fields:
            return
        store = visible_stores(agency=caller.agency, caller=caller).filter(pk=store_id).first()
        if store is None:
            return
        field = form.base_fields["store"]
        field.help_text = eligibility_summary(agency=caller.agency, store=store)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("requested_at", timezone.now())
        return initial

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through the services."""

    def save_related(self, request, form, formsets, change):
        """The transcript and documents were written by the services with the chat."""

    def has_delete_permission(self, request, obj=None):
        # A logged chat counts towards the quota and the freeze: it is corrected (its outcome), never removed.
        return False

    def get_object(self, request, object_id, from_field=None):
        chat = super().get_object(request, object_id, from_field)
        if chat is not None:
            chat.shown_to = caller_of(request)  # the documents shown are those the caller sees
        return chat

    @admin.display(description=_("transcript"))
    def transcript_shown(self, obj):
        messages = selectors.chat_messages(agency=obj.agency, chat=obj)
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td style='white-space:pre-wrap'>{}</td></tr>",
            ((message.position, _shown_time(message.sent_at, obj.agency) if message.sent_at else "—",
              message.sender or message.get_role_display(), message.text) for message in messages))
        return format_html("<table>{}</table>", rows) if rows else "—"

    @admin.display(description=_("documents used"))
    def documents_shown(self, obj):
        caller = getattr(obj, "shown_to", None)
        if caller is None or caller.agency is None:
            return "—"
        documents = documents_linked_to(agency=caller.agency, caller=caller, target=obj)
        return ", ".join(document.title for document in documents) or "—"


class ChatChannelForm(forms.ModelForm):
    """What the agency records of a store's chat channel, written by the services; the "opened anyway" fields only
    for managers (``MANAGE_CASES``). ``caller`` is set by the admin for the request."""

    caller = None

    class Meta:
        model = StoreChatChannel
        fields = ("bulk_deletion_on", "opened_anyway", "opened_anyway_reason")  # the store: the admin's factory

    def clean(self):
        data = super().clean()
        refuse_another_store(self)
        return data

    def _post_clean(self):
        if self.errors:
            return
        caller = self.caller
        agency = caller.agency
        data = self.cleaned_data
        store = data.get("store") or self.instance.store
        before = StoreChatChannel.objects.filter(agency=agency, store=store).first()
        try:
            with transaction.atomic():
                channel = services.store_chat_channel_set(agency=agency, caller=caller, store=store,
                                                          bulk_deletion_on=data.get("bulk_deletion_on"))
                if "opened_anyway" in self.fields:
                    was_open = before is not None and before.opened_anyway
                    reason = data.get("opened_anyway_reason", "")
                    if data.get("opened_anyway") and (not was_open or reason != before.opened_anyway_reason):
                        channel = services.chat_channel_open_anyway(agency=agency, caller=caller, store=store,
                                                                    reason=reason)
                    elif not data.get("opened_anyway") and was_open:
                        channel = services.chat_channel_open_anyway_withdraw(agency=agency, caller=caller,
                                                                             store=store)
            self.instance = channel
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                field = {"reason": "opened_anyway_reason"}.get(name, name)
                self.add_error(field if field in self.fields else None, messages)
        except PermissionDenied as error:
            self.add_error(None, str(error))


@admin.register(StoreChatChannel, site=site)
class StoreChatChannelAdmin(TenantAdmin):
    form = ChatChannelForm
    write_power = WORK_ON_CASES
    list_display = ("store", "bulk_deletion_on", "opened_anyway", "opened_anyway_at", "opened_anyway_by")
    list_filter = ("opened_anyway", ("store", VisibleRowFilter))
    list_filter_submit = True
    list_select_related = ("store", "opened_anyway_by")
    search_fields = ("store__name",)
    autocomplete_fields = ("store",)
    fields = ("store", "bulk_deletion_on", "opened_anyway", "opened_anyway_reason", "opened_anyway_by",
              "opened_anyway_at")

    def get_readonly_fields(self, request, obj=None):
        readonly = ("opened_anyway_by", "opened_anyway_at")
        if obj is not None:
            readonly += ("store",)
        if not caller_of(request).can(MANAGE_CASES):
            readonly += ("opened_anyway", "opened_anyway_reason")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through the services."""

    def has_delete_permission(self, request, obj=None):
        return False


class FreezeLiftForm(forms.ModelForm):
    """A manager lifting a store's running freeze, with the reason (``services.chat_freeze_lift``)."""

    caller = None

    class Meta:
        model = ChatFreezeLift
        fields = ("reason",)  # the store: the admin's factory

    def _post_clean(self):
        if self.errors:
            return
        caller = self.caller
        try:
            self.instance = services.chat_freeze_lift(agency=caller.agency, caller=caller,
                                                      store=self.cleaned_data["store"],
                                                      reason=self.cleaned_data.get("reason", ""))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


@admin.register(ChatFreezeLift, site=site)
class ChatFreezeLiftAdmin(TenantAdmin):
    form = FreezeLiftForm
    write_power = MANAGE_CASES
    list_display = ("store", "lifted_at", "frozen_until", "lifted_by", "reason")
    list_filter = (("store", VisibleRowFilter),)
    list_filter_submit = True
    list_select_related = ("store", "lifted_by")
    search_fields = ("store__name", "reason")
    autocomplete_fields = ("store",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("store", "reason")
        return ("store", "lifted_at", "frozen_until", "lifted_by", "reason")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form lifted the freeze through the service."""

    def has_change_permission(self, request, obj=None):
        # A lift is a record of what a manager did: read, never rewritten.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
