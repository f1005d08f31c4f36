"""The client report as a PDF: WeasyPrint lays out the report's own HTML page (``reports.html``), so the PDF and the
printed page are one design.

WeasyPrint draws text with Debian's Pango and HarfBuzz and embeds, for each font, the subset of glyphs the report uses
(HarfBuzz's subsetter); Chinese comes from Noto Sans CJK (``fonts-noto-cjk``), found through fontconfig. Where these
are missing (``make run`` as a user who cannot install them), ``pdf_missing`` says which packages to install and no
PDF is made: a PDF whose Chinese prints as boxes is worse than none. The HTML report works either way, so a machine
without them still starts: importing WeasyPrint there raises ``OSError`` (its libraries are loaded on import), which
is kept as the reason instead.
"""

import functools
import logging
import subprocess

from django.utils.translation import gettext

try:
    import weasyprint
except (ImportError, OSError) as error:
    weasyprint = None
    WEASYPRINT_ERROR = f"WeasyPrint cannot load: {error}"
else:
    WEASYPRINT_ERROR = ""

logger = logging.getLogger(__name__)

#: What a Debian machine installs for the PDF (``make pdf``): Pango and HarfBuzz's subsetter for WeasyPrint,
#: fontconfig and Noto CJK for the Chinese glyphs.
PDF_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fontconfig", "fonts-noto-cjk")
#: fontconfig's pattern of a font that has the Chinese glyphs of the report.
CHINESE_FONTS = ":lang=zh-cn"


class PdfUnavailable(Exception):
    """No PDF can be made on this machine; the message says what to install."""


def _chinese_font_families():
    try:
        listed = subprocess.run(["fc-list", CHINESE_FONTS, "family"], capture_output=True, text=True, timeout=20,
                                check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in listed.stdout.splitlines() if line.strip()]


@functools.cache
def _missing_piece():
    """What of the PDF's requirements this machine lacks, for the log ("" when nothing); checked once a process."""
    missing = WEASYPRINT_ERROR
    if not missing and not _chinese_font_families():
        missing = f"fontconfig lists no font for {CHINESE_FONTS}"
    if missing:
        logger.warning("The client report's PDF cannot be made on this machine: %s", missing)
    return missing


def pdf_missing():
    """``""`` when this machine makes the report's PDF; else a message for the person who asked, naming the Debian
    packages to install."""
    if not _missing_piece():
        return ""
    packages = " ".join(PDF_PACKAGES)
    return gettext("The PDF cannot be made on this server: it needs the system packages %(packages)s (as root: "
                   "apt-get install %(packages)s), then a restart. The HTML report works without them.") % {
        "packages": packages}


def html_to_pdf(html):
    """The PDF (``bytes``) of ``html``, a standalone page (``reports.html``); ``PdfUnavailable`` where this machine
    cannot make one (``pdf_missing``)."""
    missing = pdf_missing()
    if missing:
        raise PdfUnavailable(missing)
    return weasyprint.HTML(string=html).write_pdf()
