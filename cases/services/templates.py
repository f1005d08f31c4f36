"""Writes of the template library, the agency's case categories and its case and chat policy. Each takes the agency
explicitly and the caller (``accounts.tenancy.Caller``) who acts; who may write (managers) is the views' and the
admin's to check, like the other policies of the product.

The rules of a template's text are ``cases.templating``'s (four parts, known placeholders, no blank part); of its
tone, ``cases.tone``'s. Every write checks the whole change first and raises ``ValidationError({field: [message]})``
naming the value; nothing is half-written.

Decisions where the issue is silent:

* A template's text lives in its versions: creating one writes version 1; changing any of the four parts writes the
  next version (the earlier ones stay, with their own use count, so the numbers say which wording was used); a
  change that leaves the parts as they are writes no version. Name, category and language are the template's.
* A template is retired (``is_active`` off), never deleted: the timelines that used its versions keep pointing at
  them.
* Rendering is a read: it counts a use only when asked (``record_use``), i.e. when the message is actually sent.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.platform.policy_numbers import whole_number_within
from accounts.selectors import visible_rows, visible_stores

from .. import categories, templating, tone
from ..models import CaseCategory, CasePolicy, MessageTemplate, MessageTemplateVersion, SupportCase
from ..selectors.templates import case_categories, current_version

#: The details of a template that are the template's own (not a version's).
DETAILS = ("name", "category", "language")
PARTS = templating.PARTS

#: The numbers of the case and chat policy that ``case_policy_set`` takes.
POLICY_NUMBERS = ("min_store_age_days", "ahr_threshold", "ahr_days", "violation_days", "bulk_deletion_days",
                  "chats_per_day", "invalid_to_freeze", "freeze_days", "follow_up_after_hours")


def _who(caller):
    return caller.user if caller is not None and caller.is_person else None


# -- templates ----------------------------------------------------------------------------------------------------
def _details_errors(*, agency, details, template=None):
    """``(cleaned details, errors)`` of a template's name, category and language (``template``'s current ones fill
    what is not given): a name of at most 120 characters, unique in its category and language; a category of the
    agency (built-in or its own); a language the library keeps."""
    errors = {}
    merged = {name: getattr(template, name) for name in DETAILS} if template is not None else {}
    merged.update({name: value for name, value in details.items() if name in DETAILS})
    name = " ".join(str(merged.get("name") or "").split())
    if not name:
        errors["name"] = [_("Give the template a name.")]
    elif len(name) > MessageTemplate._meta.get_field("name").max_length:
        errors["name"] = [_("A name is at most %(max)s characters.") % {
            "max": MessageTemplate._meta.get_field("name").max_length}]
    category = merged.get("category") or ""
    if category not in case_categories(agency=agency):
        errors["category"] = [_("“%(category)s” is not a case category of the agency.") % {"category": category}]
    language = merged.get("language") or ""
    if language not in MessageTemplate.Language.values:
        errors["language"] = [_("“%(language)s” is not a language of the template library: %(choices)s.") % {
            "language": language, "choices": ", ".join(MessageTemplate.Language.values)}]
    if not errors:
        taken = MessageTemplate.objects.filter(agency=agency, category=category, language=language, name=name)
        if template is not None:
            taken = taken.exclude(pk=template.pk)
        if taken.exists():
            errors["name"] = [_("The agency already has a template “%(name)s” for this category and language.")
                              % {"name": name}]
    return {"name": name, "category": category, "language": language}, errors


def _parts_errors(parts):
    """``(cleaned parts, errors)``: each part as text, trimmed, by the rules of ``templating.check_template_parts``
    (errors on the part's own field)."""
    cleaned = {part: str(parts.get(part) or "").strip() for part in PARTS}
    errors = {}
    try:
        templating.check_template_parts(cleaned)
    except ValidationError as error:
        errors = error.message_dict
    return cleaned, errors


def _raise(*error_dicts):
    errors = {}
    for found in error_dicts:
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _version(*, agency, caller, template, number, parts):
    return MessageTemplateVersion.objects.create(agency=agency, template=template, number=number,
                                                 created_by=_who(caller), **parts)


@transaction.atomic
def template_create(*, agency, caller, name, category, language, issue_type, reference, evidence, expected_result):
    """A template of the agency with its version 1. Errors name the field: the name (blank, too long, taken in the
    category and language), the category (not the agency's), the language, each part (blank, an unknown placeholder,
    a lone brace). Returns the template; ``template.current`` is its version."""
    details, detail_errors = _details_errors(agency=agency, details={
        "name": name, "category": category, "language": language})
    parts, part_errors = _parts_errors({"issue_type": issue_type, "reference": reference, "evidence": evidence,
                                        "expected_result": expected_result})
    _raise(detail_errors, part_errors)
    try:
        with transaction.atomic():
            template = MessageTemplate.objects.create(agency=agency, **details)
    except IntegrityError as error:  # the same name saved by someone else a moment ago
        raise ValidationError({"name": [_("The agency already has a template “%(name)s” for this category and "
                                          "language.") % {"name": details["name"]}]}) from error
    template.current = _version(agency=agency, caller=caller, template=template, number=1, parts=parts)
    return template


@transaction.atomic
def template_revise(*, agency, caller, template, **changes):
    """Change ``template``'s name, category or language and any of its four parts (``changes``; the others stay).
    Parts that differ from the current version's write the next version (number + 1); parts as they were write
    none. Errors as ``template_create``'s; an unknown key is an error on it. Returns the template, its newest
    version as ``template.current`` and ``template.revised`` true when a version was written."""
    template = MessageTemplate.objects.select_for_update().get(agency=agency, pk=template.pk)
    unknown = [key for key in changes if key not in (*DETAILS, *PARTS)]
    if unknown:
        raise ValidationError({key: [_("“%(field)s” is not a detail of a template.") % {"field": key}]
                               for key in unknown})
    current = current_version(template)
    given_parts = {part: changes[part] for part in PARTS if part in changes}
    details, detail_errors = _details_errors(agency=agency, details=changes, template=template)
    merged = {**(current.parts() if current is not None else {}), **given_parts}
    parts, part_errors = _parts_errors(merged)
    _raise(detail_errors, part_errors)
    changed = [name for name in DETAILS if getattr(template, name) != details[name]]
    if changed:
        for name in changed:
            setattr(template, name, details[name])
        template.save()
    template.revised = current is None or parts != current.parts()
    if template.revised:
        number = current.number + 1 if current is not None else 1
        current = _version(agency=agency, caller=caller, template=template, number=number, parts=parts)
        if not changed:
            template.save(update_fields=["updated_at"])
    template.current = current
    return template


def _set_active(*, agency, template, active):
    MessageTemplate.objects.filter(agency=agency, pk=template.pk).update(is_active=active)
    template.is_active = active
    return template


def template_retire(*, agency, caller, template):
    """Take ``template`` out of use: it leaves the choices of a new message; its versions stay (timelines point at
    them). Retiring a retired template changes nothing."""
    return _set_active(agency=agency, template=template, active=False)


def template_restore(*, agency, caller, template):
    """Put a retired ``template`` back in use."""
    return _set_active(agency=agency, template=template, active=True)


def template_use_record(*, agency, version):
    """Count one use of ``version`` and of its template (a message written from it was sent), in the database: two
    people sending at once both count."""
    MessageTemplateVersion.objects.filter(agency=agency, pk=version.pk).update(use_count=F("use_count") + 1)
    MessageTemplate.objects.filter(agency=agency, pk=version.template_id).update(use_count=F("use_count") + 1)


@dataclass(frozen=True)
class TemplateRendered:
    """A template filled in: the version used, each part's text (``parts``), the whole message (``text``) and the
    tone warnings of the message (``cases.tone.ToneWarning``; a template's own words may be fine and a store's name
    in capitals not)."""

    version: MessageTemplateVersion
    parts: dict
    text: str
    warnings: tuple


def placeholder_values(*, agency, caller, case=None, store=None):
    """The values of the placeholders (``templating.PLACEHOLDERS``) from ``case`` (its store, case id in Seller
    Central's form, ASINs, category label, expected result) or, without a case, from ``store``; the operator is the
    caller's name, today the agency's date. A value the case lacks is left out (rendering names it)."""
    store = case.store if case is not None else store
    values = {"today": agency.today().isoformat()}
    user = _who(caller)
    if user is not None:
        values["operator"] = user.get_full_name() or user.email
    if store is not None:
        values.update({"store": store.name, "marketplace": store.marketplace, "seller_id": store.seller_id})
    if case is not None:
        labels = case_categories(agency=agency)
        category = labels.get(case.category)
        values.update({"case_id": case.display_case_id, "asin": case.asins[0] if case.asins else "",
                       "asins": list(case.asins or []), "expected_result": case.expected_result,
                       "category": str(category.label) if category is not None else case.category})
    return values


@transaction.atomic
def template_render(*, agency, caller, template, case=None, store=None, values=None, record_use=False):
    """``template``'s current version filled in from ``case`` (one the caller sees) or ``store`` (one the caller
    sees) and ``values`` (placeholder → text, given by the caller: they win over the case's; unknown names are an
    error on ``values``).

    Refused (``ValidationError``) on ``case`` / ``store`` for a row the caller does not see (another agency's too),
    on ``template`` for a template of another agency or one without a version, and on each part that cannot be
    filled in or would be empty (the message names the part and the missing value). With ``record_use`` the use is
    counted on the version and the template. Returns a ``TemplateRendered``."""
    if template.agency_id != agency.pk:
        raise ValidationError({"template": [_("No such template: %(template)s.") % {"template": template.pk}]})
    errors = {}
    if case is not None:
        found = visible_rows(SupportCase.objects.filter(agency=agency).select_related("store"), caller=caller).filter(
            pk=case.pk).first()
        if found is None:
            errors["case"] = [_("No such case: %(case)s.") % {"case": case.pk}]
        case = found
    elif store is not None:
        found = visible_stores(agency=agency, caller=caller).filter(pk=store.pk).first()
        if found is None:
            errors["store"] = [_("No such store: %(store)s.") % {"store": store.pk}]
        store = found
    values = dict(values or {})
    unknown = [name for name in values if name not in templating.PLACEHOLDERS]
    if unknown:
        errors["values"] = [_("“%(name)s” is not a placeholder; use one of: %(choices)s.") % {
            "name": unknown[0], "choices": ", ".join(templating.PLACEHOLDERS)}]
    version = current_version(template)
    if version is None:
        errors["template"] = [_("The template “%(template)s” has no text yet.") % {"template": template.name}]
    _raise(errors)
    filled = {**placeholder_values(agency=agency, caller=caller, case=case, store=store),
              **{name: value for name, value in values.items() if value not in (None, "")}}
    message = templating.render_template(version.parts(), filled)
    allowed = [store.name] if store is not None else [case.store.name] if case is not None else []
    warnings = tuple(tone.tone_warnings(message.text, allowed_words=[word for name in allowed
                                                                     for word in name.split()]))
    if record_use:
        template_use_record(agency=agency, version=version)
    return TemplateRendered(version=version, parts=message.parts, text=message.text, warnings=warnings)


# -- categories ---------------------------------------------------------------------------------------------------
@transaction.atomic
def case_category_create(*, agency, caller, code, name):
    """A case category of the agency's own. Its code (2 to 40 lower-case letters, digits and underscores) may not be
    a built-in category's or another of the agency's; its name is what people read. Returns it."""
    errors = {}
    code = str(code or "").strip()
    name = " ".join(str(name or "").split())
    if categories.built_in(code) is not None:
        errors["code"] = [_("“%(code)s” is a built-in category.") % {"code": code}]
    elif CaseCategory.objects.filter(agency=agency, code=code).exists():
        errors["code"] = [_("The agency already has a category “%(code)s”.") % {"code": code}]
    if not name:
        errors["name"] = [_("Give the category a name.")]
    own = CaseCategory(agency=agency, code=code, name=name)
    try:
        own.full_clean(exclude=["agency"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    _raise(errors)
    own.save()
    return own


# -- the case and chat policy -------------------------------------------------------------------------------------
def case_policy_ensure(*, agency):
    """The agency's ``CasePolicy`` row, created with the defaults if it has none yet."""
    policy, _created = CasePolicy.objects.get_or_create(agency=agency)
    return policy


@transaction.atomic
def case_policy_set(*, agency, caller=None, **numbers):
    """Set any of the agency's case and chat numbers (``POLICY_NUMBERS``; the others stay). A value out of its
    bounds, or a name that is not a number of the policy, is an error naming the field and the value; nothing is
    written then. Returns the policy."""
    case_policy_ensure(agency=agency)
    policy = CasePolicy.objects.select_for_update().get(agency=agency)
    errors = {}
    for name, value in numbers.items():
        if name not in POLICY_NUMBERS:
            errors[name] = [_("“%(field)s” is not a setting of the case and chat policy.") % {"field": name}]
            continue
        number, message = whole_number_within(CasePolicy, name, value)
        if message:
            errors[name] = [message]
            continue
        setattr(policy, name, number)
    if not errors:
        try:
            policy.full_clean(exclude=["agency"])
        except ValidationError as error:
            errors.update(error.message_dict)
    _raise(errors)
    policy.save()
    return policy
