"""Channel-neutral messages in and replies out.

Every adapter (terminal, Slack, Teams) turns its payload into a ``Message`` and renders a ``Reply``.
Nothing here knows about any channel.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from conversation.forms import Form


class ActionKind(str, enum.Enum):
    """What a button does. Each channel maps these to its own action ids / verbs."""

    pick_role = "pick_role"  # choose among ambiguous role matches -> path answer
    show_path = "show_path"
    show_all_skills = "show_all_skills"  # the path answer's complete list of missing skills (it opens with three)
    set_target = "set_target"
    enrol = "enrol"
    show_projects = "show_projects"
    approve = "approve"
    reject = "reject"
    override = "override"
    challenge = "challenge"
    explain = "explain"
    validate_skill = "validate_skill"
    decline_skill = "decline_skill"
    accept_skill = "accept_skill"
    feedback_up = "feedback_up"
    feedback_down = "feedback_down"
    clarify = "clarify"  # "did you mean …?": the target is the intent chosen for the question just asked
    # the marketplace: targets are an opportunity id, or (shortlist, offer) an application id
    publish_opportunity = "publish_opportunity"
    edit_opportunity = "edit_opportunity"
    discard_opportunity = "discard_opportunity"
    apply_opportunity = "apply_opportunity"
    view_shortlist = "view_shortlist"
    shortlist_candidate = "shortlist_candidate"
    offer_place = "offer_place"
    close_opportunity = "close_opportunity"
    # the maturity questionnaire: the target is the question's number
    maturity_yes = "maturity_yes"
    maturity_no = "maturity_no"
    # course authoring: the target is the draft's id, the version the draft's version when the card was made
    approve_course_draft = "approve_course_draft"
    reject_course_draft = "reject_course_draft"
    edit_course_draft = "edit_course_draft"
    # skills read from a shared text: accept every suggestion of one card; the target is the evidence ids joined by "."
    accept_extracted_skills = "accept_extracted_skills"
    # a forecast skill gap's actions: the target is "skill id.team id (0: the organisation).quarter.shortfall"
    post_gap_opportunity = "post_gap_opportunity"
    propose_cohort = "propose_cohort"


class ActionRef(BaseModel):
    """The small typed reference a button carries: an action, a target id and an optional version.

    Serialised as ``kind:target[:version]`` (e.g. ``pick_role:412``, ``approve:17:3``) so it fits in a
    Slack button value, a Teams ``Action.Execute`` data field and a terminal command line alike.
    """

    kind: ActionKind
    target: str
    version: int | None = None

    def encode(self) -> str:
        parts = [self.kind.value, self.target]
        if self.version is not None:
            parts.append(str(self.version))
        return ":".join(parts)

    @classmethod
    def decode(cls, value: str) -> "ActionRef":
        parts = value.strip().split(":")
        if len(parts) not in (2, 3) or not parts[1]:
            raise ValueError(f"not an action reference: {value!r}")
        try:
            kind = ActionKind(parts[0])
        except ValueError as exc:
            raise ValueError(f"unknown action {parts[0]!r}") from exc
        if not all(ch.isalnum() or ch in "-_." for ch in parts[1]):
            raise ValueError(f"bad action target {parts[1]!r}")
        version = int(parts[2]) if len(parts) == 3 else None
        return cls(kind=kind, target=parts[1], version=version)


class Button(BaseModel):
    label: str
    ref: str  # an encoded ActionRef
    style: Literal["default", "primary", "danger"] = "default"


class Fact(BaseModel):
    title: str
    value: str


class Card(BaseModel):
    title: str
    body: str = ""
    facts: list[Fact] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    footer: str = ""  # e.g. "needs your approval because ..."


class Citation(BaseModel):
    number: int
    title: str
    section: str = ""
    source: str = ""


class Attachment(BaseModel):
    """A file that goes with a reply (a chart image, a data export): Slack uploads it, Teams shows or offers it, the
    terminal saves it. ``alt_text`` says in words what it is, for screen readers and channels that cannot show it."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")  # bytes survive --json and processes

    filename: str
    content_type: str
    data: bytes = Field(repr=False)
    alt_text: str

    @property
    def size(self) -> int:
        return len(self.data)


class Reply(BaseModel):
    text: str
    cards: list[Card] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    ephemeral: bool = False  # shown only to the person who asked (Slack ephemeral, Teams private)
    replace_original: bool = False  # a card click: update the card in place
    error_id: str | None = None
    form: Form | None = None  # inputs to ask for before the action can run (a Slack modal, a Teams card)
    data: dict[str, Any] = Field(default_factory=dict)  # structured payload for --json consumers
    attachments: list[Attachment] = Field(default_factory=list)  # files delivered with the reply

    def actions(self) -> list[Button]:
        return [b for card in self.cards for b in card.buttons]


class Channel(str, enum.Enum):
    terminal = "terminal"
    slack = "slack"
    teams = "teams"


class Message(BaseModel):
    """One thing a person said or clicked, whatever the channel."""

    channel: Channel
    sender_email: str | None = None  # resolved identity, when the adapter knows it
    sender_external_id: str | None = None  # Slack user id / Teams AAD object id
    conversation_id: str  # DM, channel or terminal session
    thread_id: str | None = None  # Slack thread_ts / Teams reply chain
    text: str = ""
    action: ActionRef | None = None
    form: dict[str, str] = Field(default_factory=dict)  # modal / card inputs (e.g. a reason)
    form_submitted: bool = False  # the person filled in the Form a Reply asked for (blank optional fields may be absent)

    @property
    def context_key(self) -> str:
        return f"{self.channel.value}:{self.conversation_id}:{self.thread_id or ''}"
