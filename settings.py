"""The one typed settings object. Nothing else in Ladder reads the environment.

Built at start-up by ``load_settings()`` (never at import), from environment variables and an
optional ``.env`` file in the working directory.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    "encryption_keys",
    "privacy_pseudonym_key",
    "scim_token",
)

DEMO_KEY_FILE_NAME = "encryption.key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # How Ladder runs
    ladder_env: Literal["demo", "production"] = Field(
        default="demo",
        description="demo: a machine of one's own; with no encryption key set, Ladder makes one in DATA_DIR "
                    "(encryption.key, mode 0600) and says so. production: Ladder refuses to start without "
                    "ENCRYPTION_KEYS or ENCRYPTION_KEY_FILE")

    # Encryption at rest (personal free text: see docs/encryption.md)
    encryption_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys, comma-separated, newest first: new data is written under the first, old data read "
                    "under any. To rotate: put a new key first, run `python app.py keys rotate`, and drop the old key "
                    "once `python app.py keys status` shows no row under it. `python app.py keys new` prints a key")
    encryption_key_file: Path | None = Field(
        default=None,
        description="a file of Fernet keys, one a line, newest first (# comments allowed): a secret mounted into the "
                    "container instead of an environment variable. With ENCRYPTION_KEYS too, those come first")

    # Storage
    data_dir: Path = Field(default=PROJECT_ROOT / "var", description="local state: SQLite file, Chroma folder")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means a SQLite file in data_dir")

    # Logging
    log_level: str = "INFO"
    log_json: bool = True

    # HTTP server
    host: str = "127.0.0.1"
    port: int = 3000
    public_url: str | None = Field(default=None, description="the address people reach `serve` at (https://ladder.example.com): "
                                   "the dashboard's sign-in links start with it; unset means http://HOST:PORT")

    # Web dashboard
    dashboard_link_minutes: int = Field(default=10, ge=1, le=60, description="how long a sign-in link sent in chat stays valid (it works once)")
    dashboard_session_hours: int = Field(default=8, ge=1, le=72, description="how long a dashboard sign-in lasts in the browser")

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Background work: everything after an acknowledgement, and the scheduled jobs
    task_broker_url: str | None = Field(
        default=None, description="amqp://… (RabbitMQ) or redis://… : tasks go to `python app.py worker` processes "
                                  "and `python app.py scheduler` queues the scheduled jobs; unset: `serve` and the "
                                  "terminal run everything in their own process")
    task_queue: str = Field(default="ladder", description="the broker queue Ladder's tasks go to (one per deployment)")
    task_max_retries: int = Field(default=3, ge=0, le=20, description="how often a failing task runs again before "
                                                                       "the person is told it failed (with an error id)")
    task_min_backoff_ms: int = Field(default=500, ge=1, description="the wait before a task's first retry; doubles each time")
    task_max_backoff_ms: int = Field(default=30_000, ge=1, description="the longest wait between two retries")
    worker_threads: int = Field(default=4, ge=1, le=64, description="tasks one `worker` process runs at once (their "
                                                                     "waits on Slack and the database overlap)")
    worker_priority: Literal["idle", "low", "normal"] = Field(
        default="low", description="CPU priority of `worker` processes: low (nice 10: on a machine shared with web "
                                   "processes, their acks go first; no effect on a machine of its own), idle (Linux "
                                   "SCHED_IDLE: acks always first, but a worker gets only a sliver of CPU while other "
                                   "programs are busy), normal")
    worker_cpus: Annotated[frozenset[int] | None, NoDecode] = Field(
        default=None, description="the CPUs `worker` processes run on, as `taskset -c` writes them (`1`, `2-3`, "
                                  "`0,2`; Linux): on a machine shared with web processes, the CPUs left out are the "
                                  "acknowledgements' alone against the answers' work; unset: any CPU")
    scheduler_tick_seconds: float = Field(default=5.0, gt=0, le=300, description="how often `python app.py scheduler` "
                                                                                 "looks for due jobs")

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

    # Course authoring (authoring/, docs/authoring.md)
    transcription_base_url: str | None = Field(
        default=None,
        description="an OpenAI-compatible speech endpoint (POST {base}/audio/transcriptions) for voice memos shared "
                    "for course authoring; unset: a voice memo gets a reply saying transcription is not configured")
    transcription_model: str = Field(default="whisper-1", description="the speech-to-text model the endpoint is asked for")
    transcription_timeout_seconds: float = Field(default=60.0, gt=0, description="how long a transcription may take")
    authoring_max_bytes: int = Field(
        default=20_000_000, gt=0, description="the largest file (or fetched web page) a course is drafted from, in bytes")
    authoring_max_words: int = Field(
        default=60_000, gt=0, description="the longest document a course is drafted from, in words (about 120 pages)")
    authoring_fetch_timeout_seconds: float = Field(
        default=10.0, gt=0, description="how long fetching a web page named in an authoring request may take")

    # Agent
    agent_interval_seconds: int = 3600
    checkin_after_days: int = 21
    agent_cooldown_days: int = Field(
        default=30, ge=0,
        description="no second proposal of the same kind for the same person within this many days (and a decided "
                    "proposal is not proposed again within them)")
    agent_cooldown_days_by_kind: dict[str, int] = Field(
        default_factory=lambda: {"manager_reminder": 7},
        description='per action type, a cooldown other than agent_cooldown_days, e.g. {"schedule_checkin": 14} '
                    "(AGENT_COOLDOWN_DAYS_BY_KIND, JSON)")
    agent_nudges_per_opportunity: int = 5
    manager_reminder_after_days: int = Field(
        default=3, ge=1, description="remind a manager of decisions or validation requests that have waited this many days")
    agent_stretch_per_opportunity: int = Field(
        default=3, ge=0, description="at most this many stretch proposals waiting for a decision per opportunity "
                                     "(and never more than its places left)")
    agent_lease_seconds: int = Field(
        default=900, gt=0,
        description="how long a pass holds the database lease that keeps other processes from running one at the same "
                    "time; renewed between the pass's stages, so a crashed holder blocks others at most this long")

    # Onboarding
    onboarding_interval_seconds: int = Field(
        default=900, ge=0,
        description="how often `serve` runs the onboarding pass (managers' cards for new registrations, welcomes whose "
                    "start date has come); 0: only `/ladder onboarding run` and `/ladder agent run` do (ONBOARDING_INTERVAL_SECONDS)")

    # Approvals
    approval_expiry_days: int = 7
    approval_escalate_to: str = Field(default="manager", pattern="^(manager|hr|none)$")  # who gets an undecided proposal
    approval_escalation_days: int = 3  # the new deadline after escalating
    execution_max_attempts: int = 3
    execution_backoff_seconds: float = 0.2  # doubled after each failed attempt

    # Privacy (GDPR Art. 15/17/20, CCPA)
    privacy_pseudonym_key: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 key for the pseudonyms every audit entry carries of its subject and actor, and for "
                    "the keyed digest of its detail (docs/audit.md) — at least 32 characters. Unset: a random key "
                    "generated once into DATA_DIR/privacy-pseudonym.key (mode 0600) — fine for one machine and the "
                    "demo; set it explicitly when several machines share one database. Keep it for the life of the "
                    "data: with another key, entries written before no longer match their digests and `audit verify` "
                    "reports them as edited")
    retention_days: int = Field(
        default=365, ge=1,
        description="conversation memory and other personal free text (answer-feedback questions, channel "
                    "de-duplication keys) older than this many days is purged by the retention job")
    audit_seal_interval_seconds: int = Field(
        default=60, ge=0,
        description="how often `serve` seals new audit entries into the audit trail's hash chain (one sealer at a time "
                    "across processes, through a lease; docs/audit.md); 0: never in process (run `python app.py audit "
                    "seal` from cron — `audit verify` seals first anyway)")
    retention_interval_seconds: int = Field(
        default=86400, ge=0,
        description="how often `serve` runs the retention purge (at most once per interval across all processes: "
                    "the last run is claimed in the database); 0: never in process (run `/ladder retention run` "
                    "or `python app.py privacy purge` from cron)")
    # Rate limiting (per person, over every channel; the buckets live in the database, shared by every web process)
    chat_rate_limit_messages: int = Field(
        default=20, ge=0, description="messages (typed, commands and clicks) one person may send per window before "
                                      "Ladder asks them to slow down; 0 turns the limit off")
    chat_rate_limit_window_seconds: float = Field(
        default=60.0, gt=0, description="the window of chat_rate_limit_messages: a token bucket holding that many "
                                        "messages, refilled evenly over this many seconds (bursts up to the limit)")

    # Digests (docs/digests.md): schedules are "mon 09:00" (weekly, that local day and time), "daily 08:00" or "off";
    # an admin's `/ladder digest schedule …` overrides these and is kept in the database
    digest_interval_seconds: int = Field(
        default=300, ge=0,
        description="how often `serve` looks for digests that are due (each goes out once across all processes: "
                    "claimed in the database); 0: never in process (run `python app.py digests run` from cron)")
    digest_time_zone: str = Field(
        default="UTC", description="the IANA time zone of anyone whose record names none (people.time_zone)")
    digest_quiet_hours: str = Field(
        default="20:00-08:00", pattern=r"^(none|\d{1,2}:\d{2}-\d{1,2}:\d{2})$",
        description='local hours when no digest is sent ("HH:MM-HH:MM", may wrap midnight; "none"); a digest due '
                    "then goes out when they end. A person's own quiet hours (people.quiet_hours) take precedence")
    digest_manager_schedule: str = Field(default="mon 09:00", description="the managers' weekly digest")
    digest_employee_schedule: str = Field(default="mon 09:00", description="the employees' weekly digest (opt-in)")
    digest_max_opportunities: int = Field(
        default=3, ge=0, le=10,
        description="the most marketplace opportunities one employee digest lists (ranked by the marketplace's matching; "
                    "never one an earlier digest listed, the person's own, or one they applied to); 0: none")
    digest_learning_schedule: str = Field(default="daily 08:00",
                                          description="the L&D and HR digest, built overnight (covers the last day)")
    digest_catch_up_hours: int = Field(
        default=12, ge=1,
        description="a digest not sent within this many hours of its time (no scheduler was running) is skipped for "
                    "that period rather than arriving late")
    digest_lease_seconds: int = Field(
        default=600, gt=0,
        description="the database lease a digest run holds (one run at a time across processes); a run left "
                    "mid-send by a stopped process is marked interrupted after this long and not sent again")

    # Learning records in (xAPI 1.0.3 LRS at /xapi)
    xapi_max_body_bytes: int = Field(
        default=1_048_576, gt=0,
        description="the largest xAPI request body accepted (bytes); a larger one is refused with 413")
    # SCIM 2.0 (docs/hris.md)
    scim_token: SecretStr | None = Field(
        default=None,
        description="the bearer token identity providers send to /scim/v2/Users (make a long random one, e.g. "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`); unset: the SCIM endpoint is off")

    # Organisation
    demo_company: str = "Kestrel Systems"
    skill_vectors_dir: Path | None = Field(
        default=None,
        description="where skill extraction keeps the embedded ESCO labels (.npy, one file per taxonomy and model; "
                    "rebuilt when either changes: the full ESCO's ~111k labels take ~3 minutes once); "
                    "empty means DATA_DIR/skill-vectors",
    )

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

    @field_validator("worker_cpus", mode="before")
    @classmethod
    def _cpu_list(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_cpu_list(value)
        return value

    @field_validator("task_broker_url", mode="after")
    @classmethod
    def _broker_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("amqp://", "amqps://", "redis://", "rediss://", "unix://")):
            raise ValueError("TASK_BROKER_URL must start with amqp:// (RabbitMQ) or redis:// (Redis)")
        return value

    @field_validator("encryption_keys", mode="after")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            for number, key in enumerate(_split_keys(value.get_secret_value()), start=1):
                if _PLACEHOLDER.match(key) or not _is_fernet_key(key):
                    raise ValueError(f"ENCRYPTION_KEYS: key number {number} is not a Fernet key (32 bytes, URL-safe "
                                     "base64); `python app.py keys new` prints one")
        return value

    @model_validator(mode="after")
    def _production_needs_a_key(self) -> "Settings":
        if self.encryption_key_file is not None and not self.encryption_key_file.is_file():
            raise ValueError(f"ENCRYPTION_KEY_FILE {self.encryption_key_file} does not exist or is not a file")
        try:
            ring = self.encryption_key_ring()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"the encryption key file cannot be read ({type(exc).__name__}: {exc})") from exc
        if self.encryption_key_file is not None and not all(_is_fernet_key(k) for k in ring):
            raise ValueError(f"ENCRYPTION_KEY_FILE {self.encryption_key_file} holds a line that is not a Fernet key; "
                             "`python app.py keys new` prints one")
        if self.ladder_env == "production" and not ring:
            raise ValueError("LADDER_ENV=production needs an encryption key: set ENCRYPTION_KEYS or "
                             "ENCRYPTION_KEY_FILE (`python app.py keys new` prints a new key). Ladder does not start "
                             "without one, so that personal data is never written in the clear")
        return self

    @model_validator(mode="after")
    def _default_database(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'ladder.db').as_posix()}"
        return self

    def pseudonym_key(self) -> bytes:
        """The key erased people's pseudonyms are made with: PRIVACY_PSEUDONYM_KEY, or the local key file
        (generated on first use, readable by its owner only)."""
        if self.privacy_pseudonym_key is not None:
            key = self.privacy_pseudonym_key.get_secret_value()
            if len(key) < 32:
                raise ValueError("PRIVACY_PSEUDONYM_KEY must be at least 32 characters")
            return key.encode()
        path = self.data_dir / "privacy-pseudonym.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first: use theirs
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    @property
    def demo_key_file(self) -> Path:
        """Where the demo keeps the key it made for itself (only used with LADDER_ENV=demo and no key set)."""
        return self.data_dir / DEMO_KEY_FILE_NAME

    def encryption_key_ring(self) -> tuple[str, ...]:
        """The keys, newest first: ENCRYPTION_KEYS, then ENCRYPTION_KEY_FILE's; in the demo with neither set, the
        demo key file if it is there. Empty: no key yet (the demo makes one at start-up; production refuses)."""
        keys = _split_keys(self.encryption_keys.get_secret_value()) if self.encryption_keys else []
        file = self.encryption_key_file
        if file is None and not keys and self.ladder_env == "demo" and self.demo_key_file.is_file():
            file = self.demo_key_file
        if file is not None:
            lines = file.read_text(encoding="utf-8").splitlines()
            keys += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        return tuple(dict.fromkeys(keys))

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def skill_vectors_path(self) -> Path:
        return self.skill_vectors_dir or self.data_dir / "skill-vectors"

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None


def parse_cpu_list(text: str) -> frozenset[int] | None:
    """``"0,2-3"`` -> {0, 2, 3} (the list format of ``taskset -c`` and /sys/devices/system/cpu); empty -> None."""
    cpus: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and (not last.isdigit() or int(last) < int(first))):
            raise ValueError(f"{part!r} is not a CPU number or range (write them as 1, 2-3 or 0,2)")
        cpus.update(range(int(first), int(last or first) + 1))
    return frozenset(cpus) or None


def _split_keys(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and ``.env``), with explicit overrides on top."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings
