"""Writes of the health app, each ``<entity>_<action>(*, agency, ...)``."""
