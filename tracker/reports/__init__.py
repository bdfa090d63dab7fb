"""Reports, dashboards, outcome data and the SECURe self-assessment."""
