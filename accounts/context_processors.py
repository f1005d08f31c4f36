from .tenancy import caller_of


def agency(request):
    """The caller (who is asking, in which agency) and their agency, for every page."""
    caller = caller_of(request)
    return {"caller": caller, "current_agency": caller.agency}
