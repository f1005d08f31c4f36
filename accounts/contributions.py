"""What the accounts app contributes through the extension seam (``accounts.extensions``)."""

from . import demo, extensions

extensions.demo_data.contribute(demo.load)
