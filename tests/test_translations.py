"""The Simplified Chinese catalogue is complete, well-formed, compiled, and covers every string the product marks.

A developer who marks a new string for translation and forgets the catalogue gets a failure here naming the
string and the file. To fix it:

    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=bench
    (translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po, remove any "fuzzy" flag)
    .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv

Only the standard library and Django are used: the .po file is parsed here, the .mo file by ``gettext``.
"""

import ast
import gettext as gettext_module
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

# The product's code. Any other top-level package with an apps.py (a new app) is scanned too.
PRODUCT_DIRS = ["accounts", "health", "cases", "documents", "config"]
NOT_PRODUCT = {".venv", "tests", "bench", "locale", "node_modules"}
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml", ".email"}

# Translation functions as Django's makemessages passes them to xgettext: name -> (context arg, msgid arg,
# plural arg); None where the function has no such argument.
TRANSLATION_FUNCTIONS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


# -- the .po file ---------------------------------------------------------------------------------------------

_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _po_unquote(text, path, lineno):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise AssertionError(f"{path}:{lineno}: not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _PO_ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


class PoEntry:
    def __init__(self, lineno):
        self.lineno = lineno
        self.flags = set()
        self.msgctxt = None
        self.msgid = None
        self.msgid_plural = None
        self.msgstr = None  # a string, or {index: string} for a plural entry
        self.obsolete = False

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    def msgstrs(self):
        return list(self.msgstr.values()) if isinstance(self.msgstr, dict) else [self.msgstr]

    def __repr__(self):
        return f"line {self.lineno}: msgid {self.msgid!r}"


def parse_po(path):
    """The entries of a .po file, the header (msgid "") first. Obsolete (#~) entries are kept, marked."""
    entries = []
    entry = None
    field = None  # (name, plural index or None) that continuation lines extend

    def finish():
        nonlocal entry, field
        if entry is not None and entry.msgid is not None:
            entries.append(entry)
        entry, field = None, None

    def append(name, index, value):
        if name == "msgstr" and index is not None:
            entry.msgstr = entry.msgstr if isinstance(entry.msgstr, dict) else {}
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgid is not None:
                finish()  # comments start the next entry
            entry = entry or PoEntry(lineno)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            name, index, value = match.group(1), match.group(2), match.group(3)
            if name in ("msgctxt", "msgid") and entry is not None and entry.msgid is not None:
                finish()
            entry = entry or PoEntry(lineno)
            entry.obsolete = entry.obsolete or obsolete
            field = (name, int(index) if index is not None else None)
            if name == "msgstr" and index is None:
                entry.msgstr = ""
            append(*field, _po_unquote(value, path, lineno))
        elif line.startswith('"') and field is not None:
            append(*field, _po_unquote(line, path, lineno))
        else:
            raise AssertionError(f"{path}:{lineno}: cannot parse {raw!r}")
    finish()
    return entries


@cache
def po_entries():
    assert PO_PATH.exists(), f"{PO_PATH} is missing"
    entries = [e for e in parse_po(PO_PATH) if not e.obsolete]
    assert entries and entries[0].msgid == "", "the catalogue has no header entry"
    return entries


def po_header():
    header = po_entries()[0]
    fields = {}
    for line in header.msgstr.split("\n"):
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return header, fields


def po_messages():
    """Every entry but the header."""
    return po_entries()[1:]


@cache
def po_catalogue():
    """(msgctxt, msgid) -> entry."""
    return {entry.key: entry for entry in po_messages()}


# -- placeholders ---------------------------------------------------------------------------------------------

PERCENT_NAMED_RE = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
PERCENT_POSITIONAL_RE = re.compile(r"%(?!\()[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_RE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")


def placeholders(text, flags):
    """What a translation must carry over from its msgid: format placeholders and HTML tags."""
    found = {
        "named %-placeholders": Counter(PERCENT_NAMED_RE.findall(text)),
        "{}-placeholders": Counter(BRACE_RE.findall(text)),
        "HTML tags": Counter(TAG_RE.findall(text)),
    }
    if "python-format" in flags:
        found["positional %-placeholders (in order)"] = PERCENT_POSITIONAL_RE.findall(text)
    return found


# -- the marked strings in the product's code -------------------------------------------------------------

def product_dirs():
    dirs = [ROOT / name for name in PRODUCT_DIRS]
    for apps_py in sorted(ROOT.glob("*/apps.py")):
        if apps_py.parent.name not in NOT_PRODUCT and apps_py.parent not in dirs:
            dirs.append(apps_py.parent)
    return [d for d in dirs if d.is_dir()]


def _product_files(suffixes):
    for directory in product_dirs():
        for path in sorted(directory.rglob("*")):
            parts = set(path.relative_to(ROOT).parts)
            if path.is_file() and path.suffix in suffixes and not parts & {"migrations", "__pycache__"}:
                yield path


def _python_files():
    return _product_files({".py"})


def _template_files():
    for path in _product_files(TEMPLATE_SUFFIXES):
        if "templates" in path.relative_to(ROOT).parts:
            yield path


def _constant_str(node):
    """The value of a string literal, implicit concatenation ("a" "b") and "a" + "b" included; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_str(node.left), _constant_str(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _translation_aliases(tree):
    """Local names bound to Django's translation functions (``from ... import gettext_lazy as _``)."""
    aliases = {name: name for name in TRANSLATION_FUNCTIONS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("django.utils.translation", "gettext"):
            for alias in node.names:
                if alias.name in TRANSLATION_FUNCTIONS:
                    aliases[alias.asname or alias.name] = alias.name
    return aliases


class MarkedString:
    def __init__(self, path, lineno, msgid, msgctxt=None, msgid_plural=None, problem=None):
        self.path = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        self.lineno = lineno
        self.msgid = msgid
        self.msgctxt = msgctxt
        self.msgid_plural = msgid_plural
        self.problem = problem

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    def __str__(self):
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.path}:{self.lineno}: {self.msgid!r}{context}"


def marked_strings_in_python(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _translation_aliases(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in aliases:
            function = aliases[node.func.id]
        elif isinstance(node.func, ast.Attribute) and node.func.attr in TRANSLATION_FUNCTIONS \
                and node.func.attr != "_":
            function = node.func.attr
        else:
            continue
        context_at, msgid_at, plural_at = TRANSLATION_FUNCTIONS[function]
        if len(node.args) <= max(i for i in (context_at, msgid_at, plural_at) if i is not None):
            continue
        msgid_node = node.args[msgid_at]
        if isinstance(msgid_node, ast.JoinedStr):
            yield MarkedString(path, node.lineno, ast.unparse(msgid_node),
                               problem="an f-string is formatted before it is translated, so it never matches "
                                       "the catalogue; use a %(name)s placeholder instead")
            continue
        msgid = _constant_str(msgid_node)
        if msgid is None:
            continue  # a variable: translated elsewhere, or not at all; not this test's business
        msgctxt = _constant_str(node.args[context_at]) if context_at is not None else None
        plural = _constant_str(node.args[plural_at]) if plural_at is not None else None
        yield MarkedString(path, node.lineno, msgid, msgctxt, plural)


# templatize() turns a template into gettext(u'...'), pgettext(u'...', u'...'), ngettext(...), _("...") calls,
# exactly as makemessages hands it to xgettext; everything else is blanked out.
_STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL_RE = re.compile(
    rf"(?<![\w.])(?P<function>npgettext|ngettext|pgettext|gettext|_)\(\s*(?P<args>{_STRING}(?:\s*,\s*{_STRING})*)"
)


def marked_strings_in_template(path):
    source = path.read_text(encoding="utf-8")
    code = templatize(source, origin=str(path))
    for match in _TEMPLATE_CALL_RE.finditer(code):
        lineno = code.count("\n", 0, match.start()) + 1
        args = [ast.literal_eval(s) for s in re.findall(_STRING, match.group("args"))]
        context_at, msgid_at, plural_at = TRANSLATION_FUNCTIONS[match.group("function")]
        if len(args) <= msgid_at:
            continue
        yield MarkedString(path, lineno, args[msgid_at],
                           args[context_at] if context_at is not None else None,
                           args[plural_at] if plural_at is not None and len(args) > plural_at else None)


@cache
def marked_strings():
    found = []
    for path in _python_files():
        found.extend(marked_strings_in_python(path))
    for path in _template_files():
        found.extend(marked_strings_in_template(path))
    return found


# -- (a) complete -------------------------------------------------------------------------------------------

def test_header_declares_simplified_chinese_utf8_and_one_plural_form():
    header, fields = po_header()
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    assert fields.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    assert fields.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_is_translated_and_none_is_fuzzy():
    problems = []
    for entry in po_messages():
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry!r}")
        if entry.msgstr is None or not all(s.strip() for s in entry.msgstrs()):
            problems.append(f"untranslated: {entry!r}")
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0]:
            problems.append(f"zh_Hans has one plural form, msgstr[0] only: {entry!r}")
    assert po_messages(), "the catalogue is empty"
    assert not problems, "\n".join(problems)


def test_no_message_appears_twice():
    keys = Counter(entry.key for entry in po_messages())
    assert not [key for key, n in keys.items() if n > 1]


# -- (b) placeholders -----------------------------------------------------------------------------------------

def test_translations_keep_the_placeholders_and_html_of_their_msgid():
    problems = []
    for entry in po_messages():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])
        for translated in entry.msgstrs():
            if not translated:
                continue  # reported as untranslated above
            got = placeholders(translated, entry.flags)
            # A plural translation may match either source (e.g. "one item" has no %(count)s).
            if not any(placeholders(source, entry.flags) == got for source in sources):
                problems.append(f"{entry!r}\n    msgid:  {placeholders(entry.msgid, entry.flags)}\n"
                                f"    msgstr: {got}  ({translated!r})")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    assert placeholders("%(name)s and {value} <code>{}</code>", {"python-format"}) == \
        placeholders("<code>{}</code>：{value}，%(name)s", {"python-format"})
    assert placeholders("%(name)s", set()) != placeholders("%(nom)s", set())
    assert placeholders("{value}", set()) != placeholders("value", set())
    assert placeholders("<code>{}</code>", set()) != placeholders("{}", set())
    assert placeholders("%(limit)d bytes", {"python-format"}) != placeholders("%(limit)s 字节", {"python-format"})


# -- (c) compiled -----------------------------------------------------------------------------------------

def test_compiled_catalogue_matches_the_po_file():
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages"
    with MO_PATH.open("rb") as handle:
        compiled = gettext_module.GNUTranslations(handle)
    mo = {key: value for key, value in compiled._catalog.items() if key != ""}
    po = {}
    for entry in po_messages():
        if "fuzzy" in entry.flags:
            continue  # msgfmt leaves fuzzy entries out
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if isinstance(entry.msgstr, dict):
            for index, text in entry.msgstr.items():
                if text:
                    po[(msgid, index)] = text
        elif entry.msgstr:
            po[msgid] = entry.msgstr
    stale = sorted(repr(k) for k in po.keys() - mo.keys())
    extra = sorted(repr(k) for k in mo.keys() - po.keys())
    changed = sorted(repr(k) for k in po.keys() & mo.keys() if po[k] != mo[k])
    hint = "; run: .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv"
    assert not stale, f"in the .po but not the .mo{hint}\n" + "\n".join(stale)
    assert not extra, f"in the .mo but no longer in the .po{hint}\n" + "\n".join(extra)
    assert not changed, f"translated differently in the .mo{hint}\n" + "\n".join(changed)
    assert compiled.info().get("plural-forms", "").replace(" ", "") == "nplurals=1;plural=0;"


# -- (d) every marked string is in the catalogue -----------------------------------------------------------------

def test_the_scanner_sees_the_product_strings():
    """Guards the guard: if the scan found nothing, the next test would pass vacuously."""
    found = {(str(s.path), s.msgid) for s in marked_strings()}
    assert ("accounts/roles.py", "Operations manager") in found
    assert ("accounts/platform/admin_site.py", "Store health back-office") in found
    assert ("accounts/templates/unfold/helpers/header.html", "All agencies (platform view)") in found
    assert ("accounts/templates/admin/base_site.html", "Django site admin") in found  # _('...') in a filter
    assert any(s.msgid.startswith("Platform access: you are working in %(name)s") for s in marked_strings())
    # implicit concatenation across lines
    assert any(s.msgid == "The invitation could not be sent to %(email)s (%(reason)s); try again later."
               for s in marked_strings())


def test_the_scanner_understands_aliases_concatenation_context_plurals_and_blocktranslate(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext, ngettext\n"
        "from django.utils import translation\n"
        "A = _('one ' 'two')\n"
        "B = pgettext('month', 'May')\n"
        "C = ngettext('%(n)d store', '%(n)d stores', 3)\n"
        "D = translation.gettext('four' + ' five')\n"
        "E = _(f'{A} six')\n"
        "F = _(A)\n",
        encoding="utf-8",
    )
    template = tmp_path / "t.html"
    template.write_text(
        '{% load i18n %}{% translate "seven" context "menu" %}{{ x|default:_("eight") }}\n'
        "{% blocktranslate trimmed with n=x count c=y %}\n  nine {{ n }}\n  100%{% plural %}ten {{ n }}"
        "{% endblocktranslate %}\n",
        encoding="utf-8",
    )
    python = [(s.msgctxt, s.msgid, s.msgid_plural, bool(s.problem)) for s in marked_strings_in_python(module)]
    html = [(s.msgctxt, s.msgid, s.msgid_plural) for s in marked_strings_in_template(template)]
    assert (None, "one two", None, False) in python
    assert ("month", "May", None, False) in python
    assert (None, "%(n)d store", "%(n)d stores", False) in python
    assert (None, "four five", None, False) in python
    assert any(problem for *_, problem in python)  # the f-string
    assert len(python) == 5  # _(A) is not a literal
    assert ("menu", "seven", None) in html
    assert (None, "eight", None) in html
    assert (None, "nine %(n)s 100%%", "ten %(n)s") in html


def test_every_string_marked_for_translation_is_in_the_catalogue():
    catalogue = po_catalogue()
    problems = []
    for marked in marked_strings():
        if marked.problem:
            problems.append(f"{marked}: {marked.problem}")
            continue
        entry = catalogue.get(marked.key)
        if entry is None:
            problems.append(f"{marked}: not in locale/zh_Hans/LC_MESSAGES/django.po")
        elif marked.msgid_plural is not None and entry.msgid_plural != marked.msgid_plural:
            problems.append(f"{marked}: the catalogue's plural is {entry.msgid_plural!r}, "
                            f"the code's {marked.msgid_plural!r}")
    assert not problems, (
        "strings marked for translation but missing from the Chinese catalogue (run makemessages, translate, "
        "compilemessages):\n" + "\n".join(problems)
    )


# -- (e) the product speaks Chinese ---------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_product_strings_in_each_language(language):
    from accounts.models import Store, StoreStatus
    from accounts.platform.admin_site import site
    from accounts.roles import Role

    expected = {
        "zh-hans": ["运营主管", "只读成员", "店铺健康管理后台", "店铺", "卖家编号 (Merchant Token)", "有风险",
                    "账户已锁定"],
        "en": ["Operations manager", "Viewer", "Store health back-office", "store", "seller id", "At risk",
               "Account locked"],
    }[language]
    with translation.override(language):
        got = [
            str(Role.MANAGER.label),
            str(Role.VIEWER.label),
            str(site.site_header),
            str(Store._meta.verbose_name),
            str(Store._meta.get_field("seller_id").verbose_name),
            str(StoreStatus.AT_RISK.label),
            Template('{% load i18n %}{% translate "Account locked" %}').render(Context()),
        ]
    assert got == expected


def test_chinese_keeps_the_values_in_formatted_messages():
    with translation.override("zh-hans"):
        message = translation.gettext("Not a member of this agency: %(people)s.") % {"people": "a@example.com"}
        banner = Template(
            "{% load i18n %}{% blocktranslate with name=agency %}Platform access: you are working in {{ name }} "
            "as the software's operator, not as one of its staff. Every page you open is recorded."
            "{% endblocktranslate %}"
        ).render(Context({"agency": "示例代运营"}))
    assert message == "以下人员不是本代运营公司的成员：a@example.com。"
    assert "示例代运营" in banner and "平台访问" in banner


def test_marketplace_choices_follow_the_active_language():
    from accounts.models import Store

    choices = Store._meta.get_field("marketplace").choices
    with translation.override("en"):
        english = str(dict(choices)["US"])
    with translation.override("zh-hans"):
        chinese = str(dict(choices)["US"])
    assert (english, chinese) == ("US · United States", "US · 美国")
