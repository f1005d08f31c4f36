"""The form of an appeal document in the admin: its details and a file, written by the library's services.

Validating the form *is* submitting it to the services, as the metrics' manual day does: a new document is
``services.document_create`` (the file and every detail at once); on a document's page the details go to
``services.document_update`` and a file chosen there to ``services.document_add_version``, both in one transaction,
so that a refused file leaves the details as they were. The services' ``ValidationError`` (and ``FileTooLarge``)
become the form's field errors, naming the value; nothing is written then.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from .. import services, uploads
from ..models import AppealDocument

#: The details the form edits, as the services name them.
DETAILS = services.DETAILS
#: What the browser's file picker offers (the extensions ``uploads`` takes).
ACCEPT = ",".join(f".{extension}" for extension in uploads.ALLOWED)


def file_help():
    return _("%(formats)s, at most %(size)s.") % {"formats": uploads.ALLOWED_LABEL,
                                                  "size": filesizeformat(uploads.max_bytes())}


class DocumentForm(forms.ModelForm):
    """A document's details and file. ``caller`` and ``kinds`` (the agency's document types) are set by the admin
    for the request; the stores offered are those the caller sees (the admin's form field)."""

    caller = None
    kinds = {}

    type_code = forms.ChoiceField(label=_("Type"), widget=UnfoldAdminSelectWidget)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=2000, widget=UnfoldAdminTextInputWidget,
                           help_text=_("Words to find the document by, separated by commas: 2025, utility bill."))
    file = forms.FileField(label=_("File"), allow_empty_file=True,  # the service names the empty file itself
                           widget=UnfoldAdminFileFieldWidget(attrs={"accept": ACCEPT}))

    class Meta:
        model = AppealDocument
        # The client and the stores are added by the admin's form factory, in the request's scope (their choices
        # are the caller's).
        fields = ("type_code", "title", "issued_on", "expires_on", "notes", "tags")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance.pk is None
        if "type_code" in self.fields:
            choices = [(code, kind.label) for code, kind in self.kinds.items()]
            if not adding and self.instance.type_code not in self.kinds:
                choices.append((self.instance.type_code, self.instance.type_code))  # a type the agency no longer has
            self.fields["type_code"].choices = [("", "—"), *choices]
        if "notes" in self.fields:
            self.fields["notes"].widget.attrs["rows"] = 4
        if "tags" in self.fields and not adding:
            self.initial["tags"] = ", ".join(self.instance.tags or [])
        if "file" in self.fields:
            field = self.fields["file"]
            field.required = adding
            field.help_text = file_help()
            if not adding:
                field.label = _("Upload a new version")
                field.help_text = _("The earlier versions are kept. %(formats)s") % {"formats": file_help()}
        self.stored_version = None

    def details(self):
        data = self.cleaned_data
        details = {name: data.get(name) for name in DETAILS if name in self.fields}
        if "stores" in details:
            details["stores"] = list(details["stores"] or [])
        return details

    def _post_clean(self):
        # The model's own checks are the services' validation, run once, in the services.
        if self.errors:
            return
        caller = self.caller
        agency = caller.agency
        upload = self.cleaned_data.get("file")
        try:
            if self.instance.pk is None:
                self.instance = services.document_create(agency=agency, caller=caller, upload=upload,
                                                         **self.details())
                self.stored_version = self.instance.versions.order_by("number").first()
            else:
                # A fresh row: a refused change must not leave the page's object half-changed in memory.
                document = AppealDocument.objects.get(agency=agency, pk=self.instance.pk)
                with transaction.atomic():
                    document = services.document_update(agency=agency, caller=caller, document=document,
                                                        **self.details())
                    if upload:
                        self.stored_version = services.document_add_version(agency=agency, caller=caller,
                                                                            document=document, upload=upload)
                self.instance = document
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
