"""The channel-neutral vocabulary every layer speaks: messages in, replies out, buttons, forms, error ids.

It imports nothing of the rest of Ladder. Channels (``bot/``) render it; handlers and the domain produce it.
"""

from conversation.errors import failure_reply, log_failure, new_error_id, sorry_text
from conversation.forms import Choice, Form, FormField
from conversation.notify import Notifier, Notifiers
from conversation.messages import (
    ActionKind,
    ActionRef,
    Attachment,
    Button,
    Card,
    Channel,
    Citation,
    Fact,
    Message,
    Reply,
)

__all__ = [
    "ActionKind", "ActionRef", "Attachment", "Button", "Card", "Channel", "Choice", "Citation", "Fact", "Form", "FormField",
    "Message", "Notifier", "Notifiers", "Reply", "failure_reply", "log_failure", "new_error_id", "sorry_text",
]
