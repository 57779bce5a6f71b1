"""Skills engine: taxonomy, proficiency from evidence, gaps, paths and the talent marketplace."""
