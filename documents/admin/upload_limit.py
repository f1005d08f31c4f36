"""The size limit of the admin's upload pages: a new document's, and a document's own page (its "new version").

These pages take a request body as large as the largest file plus the form's other fields (their ModelAdmin's
``request_body_limit``, ``accounts.platform.request_limits``). A larger body is refused with Django's
``RequestDataTooBig`` at its first read, and the first to read it is the CSRF check, before the page's view runs: left
alone, the person gets Django's bare 400 page. ``refusing_large_bodies`` sends them back to the same page instead, with
a message that names the limit; nothing is saved.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext


def too_large_message():
    return gettext("The file is larger than %(limit)s; nothing was saved. Choose a smaller file, or split it "
                   "into parts.") % {"limit": filesizeformat(settings.DOCUMENTS_MAX_UPLOAD_BYTES)}


def refusing_large_bodies(model_admin, route):
    """``route`` (the URL pattern of an upload page of ``model_admin``) whose body past the page's limit is answered
    with a redirect to the same page and an error message naming the limit, rather than Django's 400.

    The route's view is marked ``csrf_exempt`` only so that the CSRF middleware does not read the body outside it:
    the admin still checks the token, inside the view (``AdminSite.admin_view`` wraps every page of a ModelAdmin in
    ``csrf_protect``), where a body too large is caught. A person who may not use the admin gets the 400 as before."""
    view = route.callback

    def upload_page(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RequestDataTooBig:
            if not model_admin.admin_site.has_permission(request):
                raise
            messages.error(request, too_large_message())
            return HttpResponseRedirect(request.get_full_path())

    update_wrapper(upload_page, view)  # keeps ``model_admin``, which the body's limit is read from
    upload_page.csrf_exempt = True
    return path(str(route.pattern), upload_page, route.default_args, route.name)
