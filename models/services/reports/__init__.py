"""Reports, dashboards, outcome measures, small-number suppression and the self-assessment."""
