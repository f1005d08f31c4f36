"""What identifies an agency, and finding it on another agency's page or answer."""

import html
import re

from .registry import TENANT_ROWS, row_of


def identifying_strings(persona):
    """Names, emails and labels that only the persona's agency has: none may appear on another agency's page."""
    strings = {persona.agency.name, persona.agency.slug}
    for user in persona.staff.values():
        strings |= {user.email, user.full_name}
    rows = [row_of(model, persona) for model in TENANT_ROWS] + [persona.other_store, persona.ro_key]
    for row in rows:
        strings.add(str(row))
        if isinstance(getattr(row, "name", None), str):
            strings.add(row.name)
    return {s for s in strings if s}


def leaked(text, strings):
    """The strings of ``strings`` found in ``text`` as whole words (raw, or HTML-escaped as templates do)."""
    found = []
    for string in sorted(strings):
        for form in {string, html.escape(string)}:
            if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text):
                found.append(string)
                break
    return found
