"""Account health: the metric vocabulary, daily snapshots, thresholds, alerts and the monthly review."""
