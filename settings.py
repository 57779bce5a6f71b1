"""The one typed settings object. Nothing else in Ladder reads the environment.

Built at start-up by ``load_settings()`` (never at import), from environment variables and an
optional ``.env`` file in the working directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent

# Values people paste from examples and forget to replace. A secret that looks like one of these is
# refused at start-up rather than failing later with a confusing 401 from Slack or Azure.
_PLACEHOLDER = re.compile(
    r"^(|x+|changeme|change-me|change_me|placeholder|secret|password|todo|tbd|none|null|test|dummy|"
    r"your[-_ ].*|<.*>|\$\{.*\}|xoxb-your.*|xoxb-x+|xapp-x+|\.\.\.)$",
    re.IGNORECASE,
)

_SECRET_FIELDS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "microsoft_app_password",
    "openai_api_key",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Storage
    data_dir: Path = Field(default=PROJECT_ROOT / "var", description="local state: SQLite file, Chroma folder")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means a SQLite file in data_dir")

    # Logging
    log_level: str = "INFO"
    log_json: bool = True

    # HTTP server
    host: str = "127.0.0.1"
    port: int = 3000

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_worker_priority: Literal["idle", "low", "normal"] = Field(
        default="idle", description="CPU priority of the Slack worker processes: idle (Linux SCHED_IDLE: acks always "
                                    "go first), low (nice 10: for a machine shared with other busy programs), normal")
    slack_calls_per_worker: int = Field(
        default=1, ge=1, description="calls each Slack worker process runs at once (more: one slow answer, e.g. from "
                                     "an LLM, holds up fewer others, at some cost to ack time on a small machine)")
    slack_answer_processes: int | None = Field(
        default=None, ge=0,
        description="do Slack's work after the ack in this many worker processes "
                    "(unset: one per CPU but one, at least one; 0: threads of the serving process)"
    )

    # Microsoft Teams (Bot Framework)
    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str = "MultiTenant"
    # Where inbound Bot Framework JWTs' signing keys are published. Unset = Microsoft's
    # (https://login.botframework.com/v1/.well-known/openidconfiguration); tests point it at a local server.
    teams_openid_metadata_url: str | None = None

    # Knowledge base
    chroma_host: str | None = None
    chroma_port: int = 8000
    embedding_model_dir: Path | None = Field(
        default=None,
        description="a local copy of the all-MiniLM-L6-v2 ONNX export (the folder with model.onnx and tokenizer.json, "
                    "or the one holding its onnx/ folder), used as it is and never downloaded into: how a machine "
                    "without internet is set up. Unset: Chroma's download cache (~/.cache/chroma/onnx_models)",
    )
    embedding_download: bool = Field(
        default=True,
        description="with EMBEDDING_MODEL_DIR unset and the model not in Chroma's cache, fetch it on first use "
                    "through Chroma's own download (about 80 MB, once per machine); false: Ladder never goes online "
                    "for it and searches lexically until the model is there (`python app.py embedding-model` still "
                    "downloads when you run it)",
    )
    hr_contact: str = "people-ops@kestrel.example"
    intent_model_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "ladder",
        description="where the intent classifier fitted on the catalogue is kept (shared by every data folder; "
                    "refitted only when the catalogue changes)",
    )

    # LLM (any OpenAI-compatible endpoint)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 20.0
    llm_intent_timeout_seconds: float = Field(
        default=4.0, gt=0, description="how long to wait for the LLM to route a message before the local classifier does")

    # Agent
    agent_interval_seconds: int = 3600
    checkin_after_days: int = 21
    agent_cooldown_days: int = 30  # a decided proposal is not proposed again within this many days
    agent_nudges_per_opportunity: int = 5

    # Approvals
    approval_expiry_days: int = 7
    approval_escalate_to: str = Field(default="manager", pattern="^(manager|hr|none)$")  # who gets an undecided proposal
    approval_escalation_days: int = 3  # the new deadline after escalating
    execution_max_attempts: int = 3
    execution_backoff_seconds: float = 0.2  # doubled after each failed attempt

    # Rate limiting (per person, over every channel; the buckets live in the database, shared by every web process)
    chat_rate_limit_messages: int = Field(
        default=20, ge=0, description="messages (typed, commands and clicks) one person may send per window before "
                                      "Ladder asks them to slow down; 0 turns the limit off")
    chat_rate_limit_window_seconds: float = Field(
        default=60.0, gt=0, description="the window of chat_rate_limit_messages: a token bucket holding that many "
                                        "messages, refilled evenly over this many seconds (bursts up to the limit)")

    # Organisation
    demo_company: str = "Kestrel Systems"

    @field_validator(*_SECRET_FIELDS, mode="before")
    @classmethod
    def _refuse_placeholder(cls, value: object, info) -> object:
        if value is None:
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if _PLACEHOLDER.match(text.strip()):
            raise ValueError(
                f"{info.field_name.upper()} looks like a placeholder ({text!r}); "
                "set a real value or leave it unset"
            )
        return value

    @model_validator(mode="after")
    def _default_database(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'ladder.db').as_posix()}"
        return self

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and ``.env``), with explicit overrides on top."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings
