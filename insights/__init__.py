"""Outcome analytics: does learning relate to retention and performance? One table per person (from the database or
a CSV), survival analysis with lifelines (Kaplan–Meier, log-rank, Cox), rating change after a course with
statsmodels, each answer with its effect sizes, intervals, counts and caveats. Groups under five people are never
shown."""
