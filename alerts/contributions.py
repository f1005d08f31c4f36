"""What the alerts app contributes through the extension seam (``accounts.extensions``): after every evaluation of
the health app, the evaluated stores' alerts are opened, updated and resolved (``services.alerts_sync``)."""

from accounts import extensions

from . import services

extensions.health_evaluated.contribute(services.alerts_sync)
