"""The scheduled jobs, by name: what each one runs and how often (its interval setting; 0 turns it off).

The functions are the domain's own (the agent pass, onboarding, the retention purge, audit sealing, digests); a
scheduler claims one slot of each interval in the database and queues the job once for it (``bot.tasks.schedule``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.tasks.payloads import ScheduledJobName

if TYPE_CHECKING:
    from handlers.context import Ladder
    from settings import Settings

log = logging.getLogger(__name__)


def intervals(settings: "Settings") -> dict[ScheduledJobName, int]:
    """Each job's interval in seconds (0: off)."""
    return {"agent_pass": settings.agent_interval_seconds, "onboarding": settings.onboarding_interval_seconds,
            "retention": settings.retention_interval_seconds, "audit_seal": settings.audit_seal_interval_seconds,
            "digests": settings.digest_interval_seconds}


def _agent_pass(ladder: "Ladder") -> dict:
    from agent.run import run_pass

    return run_pass(ladder.approvals, ladder.settings).as_data()


def _onboarding(ladder: "Ladder") -> dict:
    from onboarding.run import run

    return run(ladder.approvals).as_data()


def _retention(ladder: "Ladder") -> dict:
    import datetime as dt

    from governance.privacy import retention

    report = retention.run(ladder.db, ladder.now(), ladder.settings.retention_days,
                           period=dt.timedelta(seconds=ladder.settings.retention_interval_seconds))
    return {"ran": report.ran, "purged": report.purged}


def _audit_seal(ladder: "Ladder") -> dict:
    from governance import audit_chain

    return {"sealed": audit_chain.seal(ladder.db, lambda: ladder.now())}


def _digests(ladder: "Ladder") -> dict:
    from digests.run import run
    from handlers.digests import deps_for

    return run(deps_for(ladder)).as_data()


JOBS: dict[ScheduledJobName, Callable[["Ladder"], dict]] = {
    "agent_pass": _agent_pass, "onboarding": _onboarding, "retention": _retention, "audit_seal": _audit_seal,
    "digests": _digests,
}


def run_job(ladder: "Ladder", name: ScheduledJobName, slot: str = "") -> dict:
    """Run one scheduled job now (synchronous: call it in a thread); what it reports, for the log."""
    report = JOBS[name](ladder)
    log.info("scheduled job done", extra={"job": name, "slot": slot, "report": report})
    return report
