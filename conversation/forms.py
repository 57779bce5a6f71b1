"""Forms: what Ladder asks a person to fill in (a reason, an edited value), defined once for every channel.

Slack renders a ``Form`` as a modal, Teams as an Adaptive Card with inputs, the terminal as prompts. The
submitted values come back as ``Message.form`` together with the form's ``submit`` action reference.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Choice(BaseModel):
    label: str
    value: str


class FormField(BaseModel):
    name: str  # the key the value comes back under in ``Message.form``
    label: str
    kind: Literal["text", "multiline", "choice"] = "multiline"
    required: bool = True
    placeholder: str = ""
    initial: str = ""
    max_length: int = 3000
    choices: list[Choice] = Field(default_factory=list)  # for kind == "choice"


class Form(BaseModel):
    title: str  # short: Slack caps modal titles at 24 characters
    submit: str  # the encoded ActionRef the submission performs (e.g. ``override:17:3``)
    submit_label: str = "Submit"
    intro: str = ""  # one or two sentences above the fields
    fields: list[FormField] = Field(default_factory=list)

    def missing(self, values: dict[str, str]) -> list[FormField]:
        """Required fields left empty in a submission (whitespace counts as empty)."""
        return [f for f in self.fields if f.required and not (values.get(f.name) or "").strip()]
