"""Demo data of the alerts app: nothing of its own. The demo's history (``health.demo``) is evaluated as it is
loaded and opens alerts; they are no news to email anybody about, so none of them is left waiting for its email
(``Alert.notice_due``), whether the emails would go out in-process or from a worker."""

from .models import Alert


def load(*, agency, people):
    """Take the demo's alerts off the wait for their email (``people`` is not needed). Runs after the health app's demo
    data, in the same transaction: the email run queued after its commit finds nothing to send."""
    Alert.objects.filter(agency=agency).exclude(notice_due="").update(notice_due="")
