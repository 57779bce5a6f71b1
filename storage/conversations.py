"""Repository: conversation context (what a follow-up refers to)."""

from __future__ import annotations

from typing import Any

from storage.models import ConversationState
from storage.repository import Repository


class Conversations(Repository):
    def context(self, key: str) -> dict[str, Any]:
        """What Ladder remembers about one conversation (empty when nothing yet)."""
        state = self._session.get(ConversationState, key)
        return dict(state.data) if state is not None else {}

    def remember(self, key: str, data: dict[str, Any], person_id: int | None = None) -> None:
        """Merge ``data`` into the conversation's context (keys given replace the same keys). ``person_id``: whose
        conversation it is (an export finds it, an erasure removes it)."""
        state = self._session.get(ConversationState, key)
        if state is None:
            self._session.add(ConversationState(key=key, data=data, person_id=person_id))
        else:
            state.data = {**state.data, **data}
            if person_id is not None and state.person_id != person_id:
                state.person_id = person_id
