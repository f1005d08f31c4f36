"""The REST API's platform: what every app's endpoints share (settings name these modules)."""
