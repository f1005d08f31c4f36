"""Account health: the metric vocabulary, daily snapshots, thresholds and the portfolio dashboard."""
