"""Onboarding: a new hire gets a welcome, a role-specific path with the mandatory courses, and their manager a
30/60/90-day plan to confirm."""
