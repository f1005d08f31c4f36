"""Alerts: the alert lifecycle, notification preferences, the sent-log, immediate emails and the digest."""
