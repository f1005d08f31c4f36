"""The agency's message templates for Seller Support: their four parts, their placeholders, and how a case fills them.

DOMAIN.md: a message is structured in four parts, *issue type* + *ASIN / Case ID* + *evidence* + *expected result*
(``PARTS``). An agency keeps a template per category and language, each part a text with placeholders
(``{store}``, ``{asin}``, ``{case_id}``, …: ``PLACEHOLDERS``) that the case fills in.

The rules:

1. A placeholder is a known name in braces, exactly (``{case_id}``; not ``{ case_id }``, not ``{Case_ID}``);
   ``{{`` and ``}}`` write a literal brace. Any other brace, or an unknown name, is an error naming it, found when
   the template is saved (``check_template_parts``) and again when it is rendered.
2. Every part has text: a template with a blank part is refused when saved.
3. Rendering refuses, part by part, when a placeholder of the part has no value in the case (no case id yet, no
   ASIN): a message with a hole in it is worse than no message. A part that renders blank is refused too.
4. A value is put in as it is, once: braces in a store's name are text, never read as a placeholder, and nothing
   in a template can reach an attribute of a value (no ``str.format``, so no ``{store.__class__}``).
5. The message is the four parts, trimmed, in the order of ``PARTS``, each a paragraph of its own (separated by a
   blank line): the associate reads the four things asked for, and Seller Support's chat keeps line breaks.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ISSUE_TYPE = "issue_type"
REFERENCE = "reference"
EVIDENCE = "evidence"
EXPECTED_RESULT = "expected_result"

PARTS = (ISSUE_TYPE, REFERENCE, EVIDENCE, EXPECTED_RESULT)
PART_LABELS = {
    ISSUE_TYPE: _("Issue type"),
    REFERENCE: _("ASIN / Case ID"),
    EVIDENCE: _("Evidence"),
    EXPECTED_RESULT: _("Expected result"),
}

#: The placeholders a template may use → what the case fills them with (a noun, as in "the case has no …").
PLACEHOLDERS = {
    "store": _("store name"),
    "marketplace": _("marketplace"),
    "seller_id": _("seller id"),
    "case_id": _("case id"),
    "asin": _("ASIN"),
    "asins": _("ASINs (all of them, separated by commas)"),
    "category": _("category"),
    "expected_result": _("expected result"),
    "operator": _("operator's name"),
    "today": _("today's date"),
}

PARAGRAPH_BREAK = "\n\n"

EMPTY_PART = _("The part “%(part)s” is empty: write what it should say.")
UNKNOWN_PLACEHOLDER = _("“{%(name)s}” in the part “%(part)s” is not a placeholder; use one of: %(choices)s (write "
                        "{{ or }} for a brace).")
UNMATCHED_BRACE = _("The part “%(part)s” has a “%(brace)s” that opens or closes no placeholder; write "
                    "%(brace)s%(brace)s for a brace.")
MISSING_VALUE = _("The part “%(part)s” cannot be filled in: the case has no %(description)s (“{%(name)s}”).")
WOULD_BE_EMPTY = _("The part “%(part)s” would be empty.")

# ``{{`` and ``}}`` first, so that ``{{store}}`` is the literal text ``{store}``, not a placeholder in braces.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class RenderedMessage:
    """A template filled in from a case: each part's text by part name, and the whole message."""

    parts: dict
    text: str


def placeholders_in(template):
    """The placeholder names ``template`` uses, each once, in the order first used (whether known or not)."""
    names = []
    for match in _TOKEN.finditer(template or ""):
        name = match.group(1)
        if name is not None and name not in names:
            names.append(name)
    return names


def check_template_parts(parts):
    """Raise ``ValidationError({part: [messages]})`` unless each of the four ``PARTS`` of ``parts`` has text and
    uses only known placeholders and doubled braces (codes ``"empty_part"``, ``"unknown_placeholder"``,
    ``"unmatched_brace"``). A key of ``parts`` that is not a part is a programming error (``ValueError``)."""
    _refuse_unknown_parts(parts)
    errors = {}
    for part in PARTS:
        template = parts.get(part) or ""
        if not template.strip():
            errors[part] = [ValidationError(EMPTY_PART, code="empty_part", params={"part": PART_LABELS[part]})]
            continue
        problems = _syntax_errors(part, template)
        if problems:
            errors[part] = problems
    if errors:
        raise ValidationError(errors)


def render_template(parts, values):
    """The message of the template ``parts`` (part name → text) filled in with ``values`` (placeholder name → the
    case's value; ``None``, a blank text or a missing key is no value; a list or tuple is joined with commas, any
    other value is written as ``str()`` gives it).

    Raises ``ValidationError({part: [messages]})``, every part's problems at once: the errors of
    ``check_template_parts`` but a blank part (code ``"unknown_placeholder"``, ``"unmatched_brace"``), a
    placeholder with no value (``"missing_value"``), a part that renders blank (``"would_be_empty"``).
    """
    _refuse_unknown_parts(parts)
    filled_in = {name: _as_text(value) for name, value in values.items()}
    rendered, errors = {}, {}
    for part in PARTS:
        template = parts.get(part) or ""
        problems = _syntax_errors(part, template)
        problems += [
            ValidationError(MISSING_VALUE, code="missing_value",
                            params={"part": PART_LABELS[part], "description": PLACEHOLDERS[name], "name": name})
            for name in placeholders_in(template) if name in PLACEHOLDERS and not filled_in.get(name)]
        if not problems:
            rendered[part] = _substitute(template, filled_in).strip()
            if not rendered[part]:
                problems = [ValidationError(WOULD_BE_EMPTY, code="would_be_empty",
                                            params={"part": PART_LABELS[part]})]
        if problems:
            errors[part] = problems
    if errors:
        raise ValidationError(errors)
    return RenderedMessage(parts=rendered, text=PARAGRAPH_BREAK.join(rendered[part] for part in PARTS))


def _refuse_unknown_parts(parts):
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise ValueError(f"Not parts of a message template: {', '.join(unknown)}")


def _syntax_errors(part, template):
    """The unknown placeholders (each once) and unmatched braces of one part's ``template``."""
    label, problems, named = PART_LABELS[part], [], set()
    for match in _TOKEN.finditer(template):
        token, name = match.group(), match.group(1)
        if name is not None and name not in PLACEHOLDERS and name not in named:
            named.add(name)
            problems.append(ValidationError(UNKNOWN_PLACEHOLDER, code="unknown_placeholder",
                                            params={"name": name, "part": label, "choices": _choices()}))
        elif token in ("{", "}"):
            problems.append(ValidationError(UNMATCHED_BRACE, code="unmatched_brace",
                                            params={"part": label, "brace": token}))
    return problems


def _choices():
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def _substitute(template, values):
    """``template`` with its placeholders replaced by ``values`` (each known and filled in: checked before) and its
    doubled braces by single ones, in one pass: a value is never read again."""

    def replacement(match):
        token, name = match.group(), match.group(1)
        if name is not None:
            return values[name]
        return token[0]

    return _TOKEN.sub(replacement, template)


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item).strip() for item in value if item is not None and str(item).strip())
    return str(value).strip()
