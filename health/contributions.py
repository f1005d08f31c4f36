"""What the health app contributes through the extension seam (``accounts.extensions``): the ``?health=`` filter
of the store list, the overview's red-and-yellow section, the store page's trend panel, the sidebar's Health
group and the demo history."""

from accounts import extensions  # noqa: F401
