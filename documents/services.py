"""Writes of the appeal-document library. Each takes the agency explicitly and the caller (``accounts.tenancy.Caller``)
who acts: the stores a caller may name are those it sees, and the trail records who it was (a person or an API key).

Each service checks the whole change before it writes, raising ``ValidationError({field: [message]})`` that names
the value (``uploads.FileTooLarge`` for a file past the size limit); nothing is half-written: a file stored before a
later step failed is removed again.
"""

import datetime
import logging
import re
import zoneinfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Client
from accounts.platform.policy_numbers import whole_number_within
from accounts.selectors import client_list, visible_stores

from . import selectors, uploads
from . import storage as storage_keys
from .models import (
    AppealDocument,
    DocumentEvent,
    DocumentLink,
    DocumentPolicy,
    DocumentStore,
    DocumentType,
    DocumentVersion,
)
from .types import BY_CODE, FreshnessRule

TAGS_MAX, TAG_MAX_LENGTH = 20, 50
#: Tags typed as one text are separated by commas, Chinese ones (，、) too.
TAG_SEPARATORS = re.compile("[,，、]")
logger = logging.getLogger(__name__)
DETAILS = ("client", "stores", "type_code", "title", "issued_on", "expires_on", "notes", "tags")


def _who(caller):
    return {"actor": caller.user if caller.is_person else None, "api_key": caller.api_key}


def _record(*, agency, caller, document, action, version=None, detail=""):
    return DocumentEvent.objects.create(agency=agency, document=document, document_title=document.title,
                                        version=version, action=action, detail=detail[:300], **_who(caller))


def _clean_tags(tags, errors):
    if tags in (None, ""):
        return []
    if isinstance(tags, str):
        tags = TAG_SEPARATORS.split(tags)
    if not isinstance(tags, list | tuple) or not all(isinstance(tag, str) for tag in tags):
        errors["tags"] = [_("Tags are a list of words.")]
        return []
    cleaned = []
    for tag in (uploads.printable(tag) for tag in tags):
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > TAGS_MAX:
        errors["tags"] = [_("At most %(max)s tags, not %(count)s.") % {"max": TAGS_MAX, "count": len(cleaned)}]
    too_long = [tag for tag in cleaned if len(tag) > TAG_MAX_LENGTH]
    if too_long:
        errors["tags"] = [_("The tag “%(tag)s” is longer than %(max)s characters.")
                          % {"tag": too_long[0][:60], "max": TAG_MAX_LENGTH}]
    return cleaned


def details_errors(*, agency, caller, details, document=None):
    """``(cleaned details, {field: [message]})`` of a document's details (``DETAILS``): the client and the stores
    must be the agency's and seen by ``caller``, every store the client's; the type known to the agency; a title;
    an issue date not after today (and present for a type that ages from it); an expiry date not before the issue
    date. ``document`` is the document they would change (its current details fill what is not given)."""
    errors = {}
    current = {}
    if document is not None:
        current = {"client": document.client, "stores": list(document.stores.all()), "type_code": document.type_code,
                   "title": document.title, "issued_on": document.issued_on, "expires_on": document.expires_on,
                   "notes": document.notes, "tags": document.tags}
    merged = {**current, **details}
    client = merged.get("client")
    if isinstance(client, int):
        client = Client.objects.filter(agency=agency, pk=client).first()
    if client is None or client.agency_id != agency.pk or not client_list(agency=agency, caller=caller).filter(
            pk=client.pk).exists():
        errors["client"] = [_("No such client: %(client)s.") % {"client": details.get("client", "")}]
    elif not selectors.stores_of_client(agency=agency, caller=caller, client=client).exists():
        errors["client"] = [_("%(client)s has no store yet: a document serves one or more of its client's stores.")
                            % {"client": client.name}]
    stores = list(merged.get("stores") or [])
    visible = {}
    if client is not None and "client" not in errors:
        visible = {store.pk: store for store in selectors.stores_of_client(agency=agency, caller=caller,
                                                                           client=client)}
    hidden = {}
    if document is not None and "client" not in errors and client.pk != document.client_id:
        served = {store.pk for store in current["stores"]}
        if served - set(visible_stores(agency=agency, caller=caller).filter(pk__in=served).values_list("pk",
                                                                                                          flat=True)):
            errors["client"] = [_("This document also serves stores you do not look after: only someone who sees "
                                  "all of its stores can give it to another client.")]
    if document is not None and "client" not in errors and client.pk == document.client_id:
        # The stores the document serves that the caller does not see stay: the caller can neither name them nor
        # mean to take them away (an operator changes a document for their own stores).
        hidden = {store.pk: store for store in current["stores"] if store.pk not in visible}
    if not stores:
        errors["stores"] = [_("Choose at least one store the document serves.")]
    else:
        ids = [store if isinstance(store, int) else store.pk for store in stores]
        unknown = [store_id for store_id in ids if store_id not in visible and store_id not in hidden]
        if unknown and "client" not in errors:
            errors["stores"] = [_("No such store of this client: %(store)s.") % {"store": unknown[0]}]
        kept = {**visible, **hidden}
        stores = [kept[store_id] for store_id in dict.fromkeys([*ids, *hidden]) if store_id in kept]
    kinds = selectors.document_types(agency=agency)
    type_code = merged.get("type_code") or ""
    if type_code not in kinds:
        errors["type_code"] = [_("“%(type)s” is not a document type of the agency.") % {"type": type_code}]
    title = uploads.printable(merged.get("title"))
    if not title:
        errors["title"] = [_("Give the document a title.")]
    elif len(title) > AppealDocument._meta.get_field("title").max_length:
        errors["title"] = [_("A title is at most %(max)s characters.") % {"max": 200}]
    issued_on, expires_on = merged.get("issued_on"), merged.get("expires_on")
    today = agency.today()
    if issued_on is not None and issued_on > today:
        errors["issued_on"] = [_("%(date)s is after today (%(today)s): a document is issued before it is kept.")
                               % {"date": issued_on.isoformat(), "today": today.isoformat()}]
    kind = kinds.get(type_code)
    if kind is not None and kind.rule == FreshnessRule.ISSUED_WITHIN and issued_on is None:
        errors["issued_on"] = [_("A paper of the type “%(type)s” goes stale after its issue date: give the date it "
                                 "was issued.") % {"type": kind.label}]
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        errors["expires_on"] = [_("It expires on %(expires)s, before it was issued (%(issued)s).")
                                % {"expires": expires_on.isoformat(), "issued": issued_on.isoformat()}]
    notes = merged.get("notes") or ""
    if len(notes) > AppealDocument._meta.get_field("notes").max_length:
        errors["notes"] = [_("Notes are at most %(max)s characters.")
                           % {"max": AppealDocument._meta.get_field("notes").max_length}]
    tags = _clean_tags(merged.get("tags"), errors)
    cleaned = {"client": client, "stores": stores, "type_code": type_code, "title": title, "issued_on": issued_on,
               "expires_on": expires_on, "notes": notes, "tags": tags}
    return cleaned, errors


def _store_file(*, agency, caller, document, upload, facts, number):
    """Write ``upload`` as version ``number`` of ``document`` (the file first, then its row; the callers remove the
    file again when their transaction fails: ``_discard_on_error``)."""
    duplicate = selectors.same_file(agency=agency, client=document.client, sha256=facts.sha256)
    version = DocumentVersion(agency=agency, document=document, number=number, sha256=facts.sha256,
                              size=facts.size, content_type=facts.content_type, original_name=facts.name,
                              uploaded_by=caller.user if caller.is_person else None,
                              uploaded_by_key=caller.api_key, duplicate_of=duplicate)
    upload.seek(0)
    # The stored object carries the type sniffed from its bytes, not the one the sender claimed (S3 serves it).
    upload.content_type = facts.content_type
    version.file.save(facts.name, upload, save=False)
    try:
        version.save()
    except Exception:
        version.file.delete(save=False)
        raise
    return version


def _discard_on_error(version_holder):
    """Remove the files stored by a transaction that then failed (the database forgets their rows by itself)."""
    for version in version_holder:
        try:
            version.file.delete(save=False)
        except Exception:  # noqa: BLE001 - the storage may be the reason the transaction failed
            pass


def document_create(*, agency, caller, upload, **details):
    """A new document of a client (its details: ``DETAILS``) with ``upload`` as its first version; recorded as
    uploaded. Returns the document."""
    facts = uploads.inspect(upload)
    cleaned, errors = details_errors(agency=agency, caller=caller, details=details)
    if errors:
        raise ValidationError(errors)
    stored = []
    try:
        with transaction.atomic():
            stores = cleaned.pop("stores")
            document = AppealDocument.objects.create(agency=agency, created_by=caller.user if caller.is_person
                                                     else None, **cleaned)
            DocumentStore.objects.bulk_create([DocumentStore(agency=agency, document=document, store=store)
                                               for store in stores])
            version = _store_file(agency=agency, caller=caller, document=document, upload=upload, facts=facts,
                                  number=1)
            stored.append(version)
            _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.UPLOADED,
                    version=version, detail=facts.name)
    except Exception:
        _discard_on_error(stored)
        raise
    return document


def document_add_version(*, agency, caller, document, upload):
    """``upload`` as the new current version of ``document`` (the earlier ones are kept); recorded. A document in
    the trash takes no new version. Returns the version."""
    facts = uploads.inspect(upload)
    if document.in_trash:
        raise ValidationError({"file": [_("“%(title)s” is in the trash: restore it first.")
                                        % {"title": document.title}]})
    stored = []
    try:
        with transaction.atomic():
            # One new version at a time per document: the row lock orders two uploads of the same moment.
            AppealDocument.objects.select_for_update().filter(agency=agency, pk=document.pk).first()
            number = selectors.next_version_number(agency=agency, document=document)
            version = _store_file(agency=agency, caller=caller, document=document, upload=upload, facts=facts,
                                  number=number)
            stored.append(version)
            AppealDocument.objects.filter(agency=agency, pk=document.pk).update(updated_at=timezone.now())
            _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.NEW_VERSION,
                    version=version, detail=facts.name)
    except Exception:
        _discard_on_error(stored)
        raise
    return version


def _shown(name, value):
    """A detail's value as the trail writes it."""
    if name == "client":
        return value.name if value is not None else "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if value in (None, ""):
        return "—"
    return str(value)


@transaction.atomic
def document_update(*, agency, caller, document, **details):
    """Change ``document``'s details (any of ``DETAILS``); recorded with each changed field's old and new value
    (the notes: only that they changed). Returns the document."""
    unknown = sorted(set(details) - set(DETAILS))
    if unknown:
        raise ValidationError({unknown[0]: [_("“%(field)s” is not a detail of a document.") % {"field": unknown[0]}]})
    if document.in_trash:
        raise ValidationError({"title": [_("“%(title)s” is in the trash: restore it first.")
                                         % {"title": document.title}]})
    cleaned, errors = details_errors(agency=agency, caller=caller, details=details, document=document)
    if errors:
        raise ValidationError(errors)
    stores = cleaned.pop("stores")
    changes = []
    for name, value in cleaned.items():
        before = getattr(document, name)
        if before != value:
            changes.append(name if name == "notes" else f"{name}: {_shown(name, before)} → {_shown(name, value)}")
            setattr(document, name, value)
    served = {store.pk: store for store in document.stores.all()}
    after = {store.pk: store for store in stores}
    if set(served) != set(after):
        # How many, not which: the trail of a shared document is read by operators who do not see every store.
        added, removed = len(set(after) - set(served)), len(set(served) - set(after))
        changes.append("stores: " + " ".join(part for part in (f"+{added}" if added else "",
                                                                f"−{removed}" if removed else "") if part))
        DocumentStore.objects.filter(agency=agency, document=document).exclude(store_id__in=after).delete()
        DocumentStore.objects.bulk_create([DocumentStore(agency=agency, document=document, store_id=store_id)
                                           for store_id in sorted(set(after) - set(served))])
    if changes:
        document.save()
        _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.CHANGED,
                detail="; ".join(changes))
    return document


@transaction.atomic
def document_delete(*, agency, caller, document):
    """Move ``document`` to the trash (its files are kept until it is purged, ``DocumentPolicy.trash_days`` from
    now); recorded. A caller who does not see every store the document serves (an operator, for a paper shared with
    a colleague's stores) takes it away from their own stores only: it stays in the library for the others.
    Returns the document."""
    if document.in_trash:
        return document
    served = set(document.stores.values_list("pk", flat=True))
    seen = set(visible_stores(agency=agency, caller=caller).filter(pk__in=served).values_list("pk", flat=True))
    if served - seen:
        DocumentStore.objects.filter(agency=agency, document=document, store_id__in=seen).delete()
        _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.CHANGED,
                detail=f"stores: −{len(seen)}")
        return document
    policy = selectors.document_policy(agency=agency)
    document.deleted_at = timezone.now()
    document.purge_after = document.deleted_at + datetime.timedelta(days=policy.trash_days)
    document.deleted_by = caller.user if caller.is_person else None
    document.save(update_fields=["deleted_at", "purge_after", "deleted_by"])
    _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.DELETED,
            detail=_via_key(caller))
    return document


def _via_key(caller):
    return _("with the API key “%(name)s”") % {"name": caller.api_key.name} if caller.api_key is not None else ""


def restorable_until(*, agency, document, policy=None):
    """The moment ``document`` (in the trash) can no longer be restored: the trash days of the day it was deleted
    (``policy``: the agency's, for a document deleted before that day was kept)."""
    if document.purge_after is not None:
        return document.purge_after
    policy = policy or selectors.document_policy(agency=agency)
    return document.deleted_at + datetime.timedelta(days=policy.trash_days)


@transaction.atomic
def document_restore(*, agency, caller, document):
    """Take ``document`` out of the trash, until the moment promised when it was deleted; recorded. Returns the
    document."""
    if not document.in_trash:
        raise ValidationError({"document": [_("“%(title)s” is not in the trash.") % {"title": document.title}]})
    until = restorable_until(agency=agency, document=document)
    if timezone.now() > until:
        zone = zoneinfo.ZoneInfo(agency.time_zone)
        raise ValidationError({"document": [_("“%(title)s” could be restored until %(until)s; it can no longer be "
                                              "restored.")
                                            % {"title": document.title,
                                               "until": until.astimezone(zone).strftime("%Y-%m-%d %H:%M")}]})
    document.deleted_at = document.purge_after = document.deleted_by = None
    document.save(update_fields=["deleted_at", "purge_after", "deleted_by"])
    _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.RESTORED)
    return document


def _delete_files(storage, names):
    """Delete ``names`` from ``storage``, each on its own: one that fails is logged and left for the sweep of stray
    files (``documents_sweep_stray_files``), the others still go."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - a storage error of one file must not keep the others
            logger.exception("could not delete the document file %s", name)


def documents_purge_trash(*, agency, now=None):
    """Remove for good the agency's documents whose time in the trash is over, with their files (deleted after
    the rows are gone). Their trail stays, with a line saying they were removed. Returns how many documents were
    removed."""
    now = now or timezone.now()
    expired = AppealDocument.objects.filter(agency=agency, deleted_at__isnull=False).filter(
        Q(purge_after__lt=now) | Q(purge_after__isnull=True, deleted_at__lt=now - datetime.timedelta(
            days=selectors.document_policy(agency=agency).trash_days)))
    with transaction.atomic():
        documents = list(expired.select_for_update().only("pk", "title"))
        ids = [document.pk for document in documents]
        files = list(DocumentVersion.objects.filter(agency=agency, document_id__in=ids).values_list("file",
                                                                                                    flat=True))
        DocumentEvent.objects.bulk_create([
            DocumentEvent(agency=agency, document=document, document_title=document.title,
                          action=DocumentEvent.Action.PURGED) for document in documents])
        AppealDocument.objects.filter(agency=agency, pk__in=ids).delete()
        storage = DocumentVersion._meta.get_field("file").storage
        transaction.on_commit(lambda: _delete_files(storage, files))
    return len(ids)


#: A file of the documents storage that no version names is left alone this long: it may be one whose row is
#: being written right now.
STRAY_FILE_AGE = datetime.timedelta(days=1)


def documents_sweep_stray_files(*, agency, now=None):
    """Delete the files below the agency's prefix that no version names and that are older than ``STRAY_FILE_AGE``:
    those of an upload whose transaction failed after the file was stored (a request that failed later), or of a
    purge whose deletion failed. Returns how many were deleted."""
    now = now or timezone.now()
    storage = DocumentVersion._meta.get_field("file").storage
    folder = f"{storage_keys.agency_prefix(agency.pk)}documents"
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    kept = set(DocumentVersion.objects.filter(agency=agency).values_list("file", flat=True))
    stray = []
    for name in names:
        key = f"{folder}/{name}"
        if key not in kept and storage.get_modified_time(key) < now - STRAY_FILE_AGE:
            stray.append(key)
    _delete_files(storage, stray)
    return len(stray)


def document_download_record(*, agency, caller, version):
    """Record that ``caller`` downloaded ``version`` (before the file is handed out)."""
    return _record(agency=agency, caller=caller, document=version.document, action=DocumentEvent.Action.DOWNLOADED,
                   version=version)


@transaction.atomic
def document_link(*, agency, caller, document, target):
    """Attach ``document`` to ``target`` (a record of the agency: a case, a chat); once, however often asked;
    recorded. Returns the link."""
    if getattr(target, "agency_id", None) != agency.pk or document.agency_id != agency.pk:
        raise ValidationError({"document": [_("No such document: %(document)s.") % {"document": document.pk}]})
    if document.in_trash:
        raise ValidationError({"document": [_("“%(title)s” is in the trash: restore it first.")
                                            % {"title": document.title}]})
    link, created = DocumentLink.objects.get_or_create(
        agency=agency, document=document, target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
        defaults={"linked_by": caller.user if caller.is_person else None})
    if created:
        _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.LINKED,
                detail=f"{link.target_type.app_label}.{link.target_type.model} {target.pk}")
    return link


@transaction.atomic
def document_unlink(*, agency, caller, document, target):
    """Detach ``document`` from ``target``; recorded when it was attached."""
    removed, _details = DocumentLink.objects.filter(
        agency=agency, document=document, target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk).delete()
    if removed:
        _record(agency=agency, caller=caller, document=document, action=DocumentEvent.Action.UNLINKED,
                detail=f"{target._meta.label_lower} {target.pk}")


def document_type_create(*, agency, code, name, rule=FreshnessRule.NONE, max_age_days=None):
    """A document type of the agency's own. Its code may not be a built-in type's or another of its own; a type that
    ages from its issue date needs its days."""
    errors = {}
    if code in BY_CODE:
        errors["code"] = [_("“%(code)s” is a built-in type.") % {"code": code}]
    elif DocumentType.objects.filter(agency=agency, code=code).exists():
        errors["code"] = [_("The agency already has a type “%(code)s”.") % {"code": code}]
    if rule == FreshnessRule.ISSUED_WITHIN and not max_age_days:
        errors["max_age_days"] = [_("A type that goes stale after its issue date needs the days it stays fresh.")]
    kind = DocumentType(agency=agency, code=code, name=name, rule=rule, max_age_days=max_age_days)
    try:
        kind.full_clean(exclude=["agency"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    kind.save()
    return kind


def document_policy_ensure(*, agency):
    """The agency's ``DocumentPolicy`` row, created with the defaults if it has none yet."""
    policy, _created = DocumentPolicy.objects.get_or_create(agency=agency)
    return policy


POLICY_NUMBERS = ("expiring_within_days", "address_proof_max_age_days", "invoice_max_age_days",
                  "card_statement_max_age_days", "trash_days")


@transaction.atomic
def document_policy_update(*, agency, **values):
    """Set the agency's document numbers (``POLICY_NUMBERS``) and appeal kit (``appeal_kit``: type codes of the
    agency, each once). Errors name the field and the value; nothing is written then. Returns the policy."""
    document_policy_ensure(agency=agency)
    policy = DocumentPolicy.objects.select_for_update().get(agency=agency)
    errors = {}
    for name, value in values.items():
        if name == "appeal_kit":
            kinds = selectors.document_types(agency=agency)
            if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
                errors[name] = [_("The appeal kit is a list of document types.")]
                continue
            unknown = [code for code in value if code not in kinds]
            if unknown:
                errors[name] = [_("“%(type)s” is not a document type of the agency.") % {"type": unknown[0]}]
                continue
            value = list(dict.fromkeys(value))
        elif name not in POLICY_NUMBERS:
            errors[name] = [_("“%(field)s” is not a setting of the document policy.") % {"field": name}]
            continue
        else:
            value, message = whole_number_within(DocumentPolicy, name, value)
            if message:
                errors[name] = [message]
                continue
        setattr(policy, name, value)
    if not errors:
        try:
            policy.full_clean(exclude=["agency"])
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    policy.save()
    return policy
