"""The base of every import and export of an agency's rows (``AgencyResource``), and the widgets of its columns.

An app declares a resource per model: its columns (``Field``s with a widget of this module), what names one row in a
file (``Meta.import_id_fields``), and its model's rules (``rule_errors``). The base takes care of the rest:

* **One agency.** The resource is made with ``agency=`` (the admin passes the request's); an existing row is looked
  for among that agency's rows only, by the resource's ``import_id_fields``, in one query for the whole file, so a
  file can neither find nor change another agency's rows. References to other rows (a store's client) are looked up
  the same way (``ReferenceWidget``). An export is narrowed to the agency again, under the admin's own queryset.
* **Columns a person reads.** Each column is named by its field's label in the reader's language; a file's header
  may name it in any language of the product, or by the field's name (``seller_id``), in any case.
* **Errors a person can act on.** Every error of a row is shown under its column and the value it refuses
  (``seller id “A12”: …``), all errors of a row together; a file that names the same row twice is refused on the
  later row (``rules.repeated_row_errors``); a file without a column that identifies its rows is refused as a whole.
* **The same rules, as a set** (house rule 12). A row is validated as the services validate it, by Django's field
  validation and the model's rules of ``accounts.rules``, but without the queries ``full_clean()`` makes per row:
  what they ask (is this seller id taken? is this client the agency's?) the file as a whole has answered already.
  Rows are then written in batches with their audit-trail rows (``bulk_create_with_history``,
  ``bulk_update_with_history``), which name the person or API key behind the request. Through the services, one
  row at a time, 5,000 stores took minutes. A unique constraint that a concurrent write trips rolls the whole
  import back.
* **Text, not formulas.** Exported text that a spreadsheet would run is guarded, and the guard is taken off on
  import (``accounts.platform.spreadsheets``).
"""

import datetime
import logging
import re
from functools import cached_property

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import rules
from ..tenancy import audit_origin
from .spreadsheets import spreadsheet_text, text_of_cell

logger = logging.getLogger(__name__)


def _header_key(text):
    """How a header is compared: case, spacing and ``_`` versus space do not matter."""
    return " ".join(str(text or "").replace("_", " ").split()).casefold()


def _in_every_language(label):
    texts = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(str(label))
    return texts


def _header_spellings(label):
    """The texts a person may head ``label``'s column with: the label in every language, also without what it adds
    in brackets ("卖家编号" for "卖家编号 (Merchant Token)")."""
    texts = _in_every_language(label)
    return texts | {re.sub(r"\s*[(（].*$", "", text) for text in texts}


# -- widgets ------------------------------------------------------------------------------------------------------
class TextWidget(widgets.Widget):
    """Free text and names: stripped; an empty cell is empty text."""

    def clean(self, value, row=None, **kwargs):
        return text_of_cell(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """One of a ``TextChoices``: by its stored value (``at_risk``), which an export writes, or by its label in any
    language of the product ("At risk", "有风险"), in any case."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices

    @cached_property
    def _values_by_text(self):
        found = {}
        for value, label in self.choices.choices:
            for text in _in_every_language(label):
                found[text.casefold()] = value
        found.update({value.casefold(): value for value in self.choices.values})
        return found

    def clean(self, value, row=None, **kwargs):
        text = text_of_cell(value)
        if not text:
            return ""
        found = self._values_by_text.get(text.casefold())
        if found is None:
            raise ValueError(gettext("“%(value)s” is not one of: %(choices)s.")
                             % {"value": text, "choices": ", ".join(self.choices.values)})
        return found

    def render(self, value, obj=None, **kwargs):
        return value or ""


class YesNoWidget(widgets.Widget):
    """Yes or no: ``yes``/``no`` in a CSV file, a boolean cell in XLSX; ``true``/``false``, ``1``/``0``, ``是``/``否``
    are read too, and an empty cell is no. Anything else is refused rather than taken as no."""

    YES = frozenset({"yes", "y", "true", "t", "1", "是"})
    NO = frozenset({"no", "n", "false", "f", "0", "否"})

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = text_of_cell(value)
        if text.casefold() in self.YES:
            return True
        if not text or text.casefold() in self.NO:
            return False
        raise ValueError(gettext("“%(value)s” is neither yes nor no.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return bool(value)
        return "yes" if value else "no"


class DateWidget(widgets.Widget):
    """A date: ``2024-03-01`` (what an export writes), ``2024/3/1`` or ``2024.3.1``, or a date cell of XLSX; an
    empty cell is no date. Day-first and month-first spellings are refused: ``03/01/2024`` is read differently in
    different countries."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = text_of_cell(value)
        if not text:
            return None
        for date_format in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(gettext("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01.")
                         % {"value": text})

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return value.isoformat() if value else ""


class ReferenceWidget(widgets.Widget):
    """Another row of the agency by its name (a store's client). The agency's rows are read once per file; a name
    that only another agency has is a name nobody has here, and is refused as such."""

    def __init__(self, model, field="name"):
        super().__init__()
        self.model = model
        self.field = field
        self.agency = None

    @cached_property
    def _rows_by_name(self):
        if self.agency is None:
            return {}
        return {getattr(row, self.field): row for row in self.model.objects.filter(agency=self.agency)}

    def clean(self, value, row=None, **kwargs):
        name = text_of_cell(value)
        if not name:
            return None
        found = self._rows_by_name.get(name)
        if found is None:
            raise ValueError(gettext("No %(model)s named “%(name)s” in this agency.")
                             % {"model": self.model._meta.verbose_name, "name": name})
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


# -- the resource -------------------------------------------------------------------------------------------------
class AgencyInstanceLoader(BaseInstanceLoader):
    """The agency's existing rows that a file names, by the resource's identity, read in one query."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        first = resource.identity_fields()[0]
        named = {identity[0] for identity in map(resource.identity_of, dataset.dict if dataset else []) if identity}
        existing = resource.get_queryset().filter(**{f"{first.attribute}__in": named})
        self.existing = {resource.identity_of_instance(instance): instance for instance in existing}

    def get_instance(self, row):
        identity = self.resource.identity_of(row)
        return None if identity is None else self.existing.get(identity)


class AgencyResource(resources.ModelResource):
    """A model's rows of one agency as a file (see the module's docstring). Subclasses declare their columns as
    ``Field(attribute=..., column_name=<the field's label>, widget=...)``, ``Meta.import_id_fields`` (what names one
    row in a file, e.g. the seller id and the marketplace) and ``rule_errors``."""

    class Meta:
        instance_loader_class = AgencyInstanceLoader
        # A row that changes nothing is not written (nor in the audit trail), and the preview lists only the rows
        # that change something, with the number of the others.
        skip_unchanged = True
        report_skipped = False
        use_transactions = True
        # Rows are validated one by one, without a query each (``validate_instance``), and written in batches.
        use_bulk = True
        batch_size = 1000

    def __init__(self, agency=None, **kwargs):
        super().__init__(**kwargs)
        self.agency = agency
        for field in self.fields.values():
            # Headers in the reader's language, fixed for this file (the field keeps its label for other languages).
            field.label = field.column_name
            field.column_name = str(field.column_name)
            if isinstance(field.widget, ReferenceWidget):
                field.widget.agency = agency
        self._repeated_rows = {}
        self._row_number = None
        self._changed_columns = {}
        for field in self.get_import_fields():
            model_field = self._model_field(field.attribute)
            if model_field is not None and model_field.is_relation and not isinstance(field.widget, ReferenceWidget):
                # Validation skips the look-up of references (``validate_instance``): only the agency's own rows,
                # as a ReferenceWidget reads them, may be referred to.
                raise ImproperlyConfigured(f"{type(self).__name__}.{field.attribute}: a reference column needs a "
                                           f"ReferenceWidget")

    def _model_field(self, attribute):
        try:
            return self._meta.model._meta.get_field((attribute or "").removesuffix("_id"))
        except FieldDoesNotExist:
            return None

    # -- which rows --------------------------------------------------------------------------------------------
    def get_queryset(self):
        if self.agency is None:
            return self._meta.model._default_manager.none()
        return self._meta.model._default_manager.filter(agency=self.agency)

    def init_instance(self, row=None):
        # The agency's id, not the object: every row's preview copies the row.
        return self._meta.model(agency_id=self.agency.pk if self.agency else None)

    def filter_export(self, queryset, **kwargs):
        if self.agency is None:
            return queryset.none()
        return queryset.filter(agency=self.agency)

    def identity_fields(self):
        return [self.fields[name] for name in self.get_import_id_fields()]

    def identity_of(self, row):
        """What names the row's object in the file (its ``import_id_fields``' values), or ``None`` when a part is
        missing or cannot be read."""
        try:
            identity = tuple(field.clean(row) for field in self.identity_fields())
        except (KeyError, ValueError):
            return None
        return identity if all(part not in (None, "") for part in identity) else None

    def identity_of_instance(self, instance):
        return tuple(getattr(instance, field.attribute) for field in self.identity_fields())

    # -- columns -----------------------------------------------------------------------------------------------
    def get_import_fields(self):
        # Asked several times per row: worked out once per file.
        return self._import_fields

    @cached_property
    def _import_fields(self):
        # Columns only exported (a store's operators) are no part of an import.
        return [field for field in super().get_import_fields() if not field.readonly]

    @cached_property
    def _columns_by_header(self):
        columns = {}
        for name, field in self.fields.items():
            for text in (name, field.attribute or "", *_header_spellings(field.label)):
                if text:
                    columns[_header_key(text)] = field.column_name
        return columns

    def before_import(self, dataset, **kwargs):
        """Name the file's columns as this resource does, refuse a file without the columns that identify its rows,
        and find the rows that name the same object as an earlier row."""
        dataset.headers = [self._columns_by_header.get(_header_key(header), header) for header in dataset.headers]
        missing = [field.column_name for field in self.identity_fields() if field.column_name not in dataset.headers]
        if missing:
            raise ValueError(gettext("The file has no column “%(column)s”; its first row must name the columns, "
                                     "as an export does.") % {"column": "”, “".join(missing)})
        self._repeated_rows = rules.repeated_row_errors(
            rows=[(number, self.identity_of(row)) for number, row in enumerate(dataset.dict, 1)])

    def after_import(self, dataset, result, **kwargs):
        # django-import-export resets the table's id sequence here, for files that carry ids; ours never do, and a
        # reset while another transaction inserts could hand out an id twice.
        pass

    # -- validation --------------------------------------------------------------------------------------------
    def import_row(self, row, instance_loader, **kwargs):
        self._row_number = kwargs.get("row_number")
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.validation_error is not None:
            row_result.validation_error = self.readable_errors(row_result.validation_error, row)
        return row_result

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk is not None:
            # What the row changes of an existing object: the batch's update writes those columns only.
            self._changed_columns[instance.pk] = {
                field.attribute for field in self.get_import_fields()
                if field.attribute and field.get_value(instance) != field.get_value(original)}
        if self._row_number in self._repeated_rows:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def reference_fields(self):
        """The model's foreign keys that come from the agency's own rows (the agency, and those a
        ``ReferenceWidget`` reads): they need no look-up to be validated."""
        attributes = {field.attribute for field in self.fields.values() if isinstance(field.widget, ReferenceWidget)}
        return [field for field in self._meta.model._meta.concrete_fields
                if field.many_to_one and (field.name == "agency" or field.name in attributes)]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Validate a row without a query of its own: each field's own validation (``clean_fields()``) and the
        model's rules (``rule_errors``), with what the file as a whole already tells (a row's object exists in the
        agency, or an earlier row names it). All its errors are raised together."""
        errors = dict(import_validation_errors or {})
        repeated = self._repeated_rows.get(self._row_number)
        if repeated:
            errors.setdefault(self.identity_fields()[0].attribute, []).append(repeated)
        references = self.reference_fields()
        try:
            instance.clean_fields(exclude={*errors, *(field.name for field in references)})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in references:
            if field.name not in errors and getattr(instance, field.attname) is None and not field.null:
                errors[field.name] = [field.error_messages["null"]]
        for name, messages in self.rule_errors(instance).items():
            if name not in errors:
                errors[name] = messages
        if errors:
            raise ValidationError(errors)

    def rule_errors(self, instance):
        """``{field: [message]}`` of the model's own rules (``accounts.rules``) for ``instance``, a row of a valid
        file: its identity is that of an existing row it updates, or of no row of the agency nor of the file."""
        raise NotImplementedError

    def readable_errors(self, error, row):
        """``error`` (a row's ``ValidationError``) with each field's messages under its column and value."""
        if not hasattr(error, "error_dict"):
            return error
        readable = {}
        for key, messages in error.message_dict.items():
            readable.setdefault(self._column_and_value(key, row), []).extend(messages)
        return ValidationError(readable)

    def _column_and_value(self, key, row):
        if key == NON_FIELD_ERRORS:
            return key
        field = next((field for field in self.fields.values()
                      if field.attribute and key in (field.attribute, field.attribute.removesuffix("_id"))), None)
        if field is None:
            try:
                return str(self._meta.model._meta.get_field(key).verbose_name)
            except FieldDoesNotExist:
                return key
        value = text_of_cell(row.get(field.column_name))
        if not value:
            return field.column_name
        return gettext("%(column)s “%(value)s”") % {"column": field.column_name,
                                                    "value": Truncator(value).chars(40)}

    # -- writing -----------------------------------------------------------------------------------------------
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Insert the new rows of a batch, and their audit-trail rows, in a few statements. A preview (``dry_run``)
        has validated them already and writes nothing."""
        rows, self.create_instances = self.create_instances, []
        if rows and not dry_run:
            self._write(result, raise_errors, lambda: bulk_create_with_history(
                rows, self._meta.model, batch_size=batch_size, custom_historical_attrs=audit_origin()))

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Update the changed rows of a batch, and add their audit-trail rows, in a few statements."""
        rows, self.update_instances = self.update_instances, []
        if not rows or dry_run:
            return
        # Django's bulk update builds a CASE of every row for every column it sets: only the columns that change.
        changed = set().union(*(self._changed_columns.pop(row.pk, ()) for row in rows))
        fields = [field.attribute for field in self.get_import_fields()
                  if field.attribute in changed and field not in self.identity_fields()]
        if any(field.name == "updated_at" for field in self._meta.model._meta.concrete_fields):
            now = timezone.now()
            for row in rows:
                row.updated_at = now
            fields.append("updated_at")
        self._write(result, raise_errors, lambda: bulk_update_with_history(
            rows, self._meta.model, fields, batch_size=batch_size, custom_historical_attrs=audit_origin()))

    def bulk_delete(self, using_transactions, dry_run, raise_errors, result=None):
        self.delete_instances.clear()  # an import never deletes

    def _write(self, result, raise_errors, write):
        try:
            with transaction.atomic():
                write()
        except IntegrityError as error:
            # Validated against the rows the agency had when the import began: another change has added one of
            # them since. The whole import is rolled back.
            self.handle_import_error(result, ValueError(gettext(
                "Someone else has added some of these rows meanwhile, so nothing was imported. Upload the file "
                "again to see which.")), raise_errors)
            logger.info("An import met a conflicting write: %s", error)

    # -- exporting ---------------------------------------------------------------------------------------------
    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [spreadsheet_text(value) for value in super().export_resource(instance, selected_fields, **kwargs)]
