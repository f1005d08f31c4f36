"""The Seller Support admin, one module per page."""
