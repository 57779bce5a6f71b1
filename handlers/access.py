"""Who may do what: the checks use cases share before they act for someone."""

from __future__ import annotations

from storage.models import AccessRole, Person


def is_admin(person: Person | None) -> bool:
    """Fails closed: anything but a clear HR-admin record means no."""
    try:
        return bool(person is not None and person.active and person.access_role == AccessRole.hr_admin)
    except Exception:  # noqa: BLE001 - governance fails closed
        return False
