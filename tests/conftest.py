"""Shared fixtures. Every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL: 127.0.0.1:5432, user postgres (trust auth). Each test session (and each xdist worker)
creates its own databases and drops them at the end.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app import build
from handlers.context import Ladder
from settings import Settings
from storage import Database
from storage.encryption import Cipher

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ESCO_FULL = SHARED / "data" / "esco-v1.1.1"
# The developers' offline copy of all-MiniLM-L6-v2. The product never looks for it: tests name it explicitly.
SHARED_MODEL = SHARED / "models" / "all-MiniLM-L6-v2"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", "postgresql"]


def _pg_create(name: str) -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _pg_drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class DatabaseFactory:
    """Makes empty, migrated databases of one backend and cleans them up."""

    def __init__(self, backend: str, tmp: Path, cipher: Cipher) -> None:
        self.backend = backend
        self.tmp = tmp
        self.cipher = cipher
        self._pg: list[str] = []
        self._dbs: list[Database] = []

    def url(self) -> str:
        tag = uuid.uuid4().hex[:10]
        if self.backend == "sqlite":
            return f"sqlite:///{(self.tmp / f'ladder-{tag}.db').as_posix()}"
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"ladder_test_{worker}_{tag}"
        self._pg.append(name)
        return _pg_create(name)

    def release(self, db: Database) -> None:
        """Close a per-test database's connections and drop it: hundreds of tests must not
        exhaust PostgreSQL's connection slots."""
        db.dispose()
        if db in self._dbs:
            self._dbs.remove(db)
        name = db.url.rsplit("/", 1)[-1]
        if self.backend == "postgresql" and name in self._pg:
            self._pg.remove(name)
            _pg_drop(name)

    def database(self) -> Database:
        db = Database(self.url(), cipher=self.cipher)
        db.migrate()
        self._dbs.append(db)
        return db

    def ladder(self, tmp_path: Path) -> Ladder:
        db = self.database()
        # Session-wide demo databases answer hundreds of messages from the same people in seconds: the per-person
        # rate limit is off here, and on in the tests of it (tests/test_rate_limit.py, tests/fuzz).
        settings = Settings(data_dir=tmp_path, database_url=db.url, embedding_model_dir=SHARED_MODEL,
                            chat_rate_limit_messages=0)
        return build(settings, db=db)  # the application is assembled the way `python app.py` assembles it

    def close(self) -> None:
        for db in self._dbs:
            db.dispose()
        for name in self._pg:
            _pg_drop(name)


@pytest.fixture(scope="session", autouse=True)
def encryption_key() -> Iterator[str]:
    """A key made for this test session (no key file in the repository): ENCRYPTION_KEYS names it for every Settings
    built from the environment, `python app.py` subprocesses included, and the test databases are opened with it."""
    key = Cipher.generate_key()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENCRYPTION_KEYS", key)
        yield key


@pytest.fixture(scope="session")
def test_cipher(encryption_key) -> Cipher:
    return Cipher([encryption_key])


@pytest.fixture(scope="session", autouse=True)
def embedding_model_for_tests(tmp_path_factory) -> Iterator[None]:
    """Tests use the developers' copy of the model and never fetch it from the internet or write to ~/.cache.

    EMBEDDING_MODEL_DIR names ../shared/models for every Settings built from the environment, including those of
    `python app.py` subprocesses. Should a test leave it unset, Chroma's download cache is an empty temporary
    folder and its download URL a local port nothing listens on; tests of the download point both at a stand-in
    server of their own (tests/knowledge/test_model_download.py).
    """
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMBEDDING_MODEL_DIR", str(SHARED_MODEL))
        # The demo's ESCO labels are embedded once per run, not once per demo database (a ~minute each on 2 cores):
        # shared by the xdist workers (their temporary folders have one parent), keyed by labels and model.
        patch.setenv("SKILL_VECTORS_DIR", str(tmp_path_factory.getbasetemp().parent / "skill-vectors"))
        patch.setattr(ONNXMiniLM_L6_V2, "DOWNLOAD_PATH", tmp_path_factory.mktemp("chroma-cache") / ONNXMiniLM_L6_V2.MODEL_NAME)
        patch.setattr(ONNXMiniLM_L6_V2, "MODEL_DOWNLOAD_URL", f"http://127.0.0.1:{_closed_port()}/onnx.tar.gz")
        yield


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def shared_model_dir() -> Path:
    if not (SHARED_MODEL / "onnx" / "model.onnx").is_file():
        pytest.skip(f"all-MiniLM-L6-v2 not available in {SHARED_MODEL}")
    return SHARED_MODEL


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def db_factory(backend, tmp_path_factory, test_cipher) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"db-{backend}"), test_cipher)
    yield factory
    factory.close()


@pytest.fixture
def database(db_factory) -> Iterator[Database]:
    """An empty, migrated database (per test)."""
    db = db_factory.database()
    yield db
    db_factory.release(db)


@pytest.fixture(scope="session")
def demo(db_factory, tmp_path_factory) -> Ladder:
    """The seeded demo company, shared by read-only tests of one backend. Do not mutate."""
    from handlers.seed_demo import seed_demo

    ladder = db_factory.ladder(tmp_path_factory.mktemp("demo"))
    seed_demo(ladder)
    return ladder


@pytest.fixture
def fresh_demo(db_factory, tmp_path) -> Iterator[Ladder]:
    """A seeded demo company of its own, for tests that change things."""
    from handlers.seed_demo import seed_demo

    ladder = db_factory.ladder(tmp_path)
    seed_demo(ladder)
    yield ladder
    db_factory.release(ladder.db)


@pytest.fixture(scope="session")
def understand(demo):
    """What the demo's understanding makes of a message typed by one of its people: ``understand(text, email)``."""
    from handlers.context import understander
    from handlers.intents import Intent, vocabularies

    def run(text: str, email: str = "maya.patel@kestrel.example") -> Intent:
        with demo.db.read_only() as uow:
            person = uow.people.by_email(email)
            return Intent.of(understander(demo).understand(text, vocabularies(demo.indexes, uow, person)))

    return run


@pytest.fixture(scope="session")
def embedder(shared_model_dir):
    from knowledge.embedding import load_embedder

    model = load_embedder(shared_model_dir)  # the developers' offline copy (../shared/models), named explicitly
    assert model is not None, f"all-MiniLM-L6-v2 in {shared_model_dir} did not load"
    return model


@pytest.fixture
def standin():
    """A local OpenAI-compatible endpoint (tests/openai_standin.py): the only LLM any test talks to."""
    from openai_standin import OpenAIStandIn

    with OpenAIStandIn() as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def intent_model_fitted():
    """Fit (or read) the intent classifier once before any test, as `serve` and `seed demo` do before any message:
    on a machine that never fitted it, the first fit takes tens of seconds and must not fall inside a timed test."""
    from handlers.context import build_understander

    build_understander(Settings(embedding_model_dir=SHARED_MODEL))
    build_understander(Settings(embedding_model_dir=SHARED / "no-model-here"))  # the words-only model too


@pytest.fixture(scope="session", autouse=True)
def skill_vectors_built_once(embedding_model_for_tests, tmp_path_factory) -> None:
    """Skill extraction embeds the demo taxonomy's ESCO labels on first use (a minute on 2 cores). Done here once per
    test process, into the SKILL_VECTORS_DIR every test shares, so no test that posts a brief or shares a text waits
    for it inside a channel's time limit (where it would show as "Working on it…")."""
    import app
    from handlers.context import skill_extractor
    from handlers.seed_demo import seed_demo
    from settings import Settings

    if not (SHARED_MODEL / "onnx" / "model.onnx").is_file():
        return  # label matching only: nothing to embed
    folder = tmp_path_factory.mktemp("skill-vectors-warm")
    ladder = app.build(Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'warm.db'}", embedding_model_dir=SHARED_MODEL))
    try:
        seed_demo(ladder)
        skill_extractor(ladder).extract("Built dashboards in SQL.")
    finally:
        ladder.db.dispose()
