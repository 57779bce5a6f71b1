"""Onboarding: a new hire gets a welcome, a role-specific path with the mandatory courses, and their manager a
30/60/90-day plan to confirm.

``start_onboarding(uow, person_id, …)`` is the entry point for anything that brings people in (the HRIS import);
``register_hire`` adds someone to the directory first (`/ladder hire`); ``run(deps)`` is the pass that announces
registrations to managers and welcomes new hires on their start date.
"""

from onboarding.run import OnboardingReport, run
from onboarding.start import MandatoryEnrolment, NewHire, OnboardingError, Started, register_hire, start_onboarding

__all__ = ["MandatoryEnrolment", "NewHire", "OnboardingError", "OnboardingReport", "Started", "register_hire", "run",
           "start_onboarding"]
