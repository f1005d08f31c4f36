def agency(request):
    """The tenant and switcher data for every admin page."""
    tenant = getattr(request, "tenant", None)
    return {"tenant": tenant, "current_agency": getattr(tenant, "agency", None)}
