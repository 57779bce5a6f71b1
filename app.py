"""Ladder's composition root and command line.

    python app.py seed demo                       build the demo organisation
    python app.py chat --as EMAIL                 chat in the terminal
    python app.py chat --as EMAIL --message TEXT --json    one answer as JSON
    python app.py chat --as EMAIL --click REF --json       press a button from an earlier reply
    python app.py taxonomy import-esco DIR        import the official ESCO CSV download
    python app.py serve [--host H] [--port P]     the HTTP server (health, Slack, Teams)
    python app.py skills profile|gap|path|closest --as EMAIL [--role ROLE] --json
    python app.py skills tag-courses | accept-tag COURSE_CODE SKILL_URI
    python app.py skills extract [--top K] [--json] [--each-line] < TEXT
    python app.py db upgrade                      migrate the database schema
    python app.py teams package [--out ZIP]       the Microsoft Teams app package (needs MICROSOFT_APP_ID)
    python app.py agent run [--json]              one pass of the agent (proposals, check-ins, deadlines)
    python app.py digests run [--kind K] [--dry-run [--show]] [--force] [--json]   send the digests due now, once
    python app.py nlu eval FILE [--json]          intent and slot understanding on a labelled set
    python app.py embedding-model [--no-download] where the knowledge base's sentence model loads from; fetch it
    python app.py keys new|status|rotate [--batch N]   encryption keys: a new one, rows per key, re-encrypt
    python app.py audit bias [--json]             the bias audit of Ladder's outputs (LL144 impact ratios)
    python app.py audit verify [--json] | seal    the audit trail's hash chain: check it (exit 1: broken) / seal now
    python app.py audit bias --from-csv FILE --outcome COLUMN --selected VALUE --category COLUMN [...]
    python app.py privacy export EMAIL [--out FILE]   everything Ladder holds about a person (JSON + summary)
    python app.py privacy jobs | resume ID | purge    erasure jobs (erasing needs HR's approval in chat); retention
    python app.py hris import people|roles|ratings|kpis FILE --mapping MAP.yaml [--dry-run] [--errors OUT] [--json]
    python app.py hris apply-due [--json]         role changes and leave dates whose day has come (idempotent, daily)
    python app.py forecast backtest [--series demo|co2] [--json]   skill-gap forecast vs naive baselines (MASE, coverage)
    python app.py forecast gaps [--quarters N] [--json]            the skills the demo organisation will be short of
    python app.py insights attrition --by COLUMN [--from-csv FILE --time COL --event COL --event-value V] [--json]
                                                  attrition by group: Kaplan–Meier, log-rank, Cox hazard ratio (95% CI)
    python app.py insights kpi --from-csv FILE --month COL --value COL --start YYYY-MM-DD [--json]   a KPI before/after
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from handlers.context import Ladder
    from settings import Settings
    from storage import Database

log = logging.getLogger("ladder")


def build(settings: "Settings | None" = None, *, db: "Database | None" = None) -> "Ladder":
    """The composition root: the one place Ladder is assembled, from one typed settings object.

    It opens (and migrates) the database unless one is handed in, and makes the application context every use case
    receives. The parts with a cost are built on first use from that context: the taxonomy indexes, the approvals'
    dependencies (``Ladder.approvals``) and the knowledge base. Channels attach to it when they are mounted (``serve``);
    Slack's notifier is added here so that commands run outside ``serve`` (the agent) can reach people too.
    Tests build the application with this same function.
    """
    from bot.slack import register_notifier
    from handlers.context import Ladder
    from settings import load_settings
    from storage import Database

    from storage.audit_keys import AuditKeys

    settings = settings or load_settings()
    if db is None:
        db = Database(settings.database_url, cipher=open_cipher(settings), audit_keys=AuditKeys(settings.pseudonym_key))
        db.migrate()
    elif db.audit_keys is None:  # a database opened elsewhere (tests): its audit inserts are stamped from here on
        db.audit_keys = AuditKeys(settings.pseudonym_key)
    ladder = Ladder(settings=settings, db=db)
    register_notifier(ladder)  # only when Slack is configured
    return ladder


def open_cipher(settings: "Settings"):
    """The key ring of the encrypted columns. With no key set, the demo makes one in its data folder and says so;
    production never gets here without one (Settings refuses to load)."""
    from storage.encryption import Cipher, create_key_file

    ring = settings.encryption_key_ring()
    if not ring and settings.ladder_env == "demo":
        path = settings.demo_key_file
        try:
            create_key_file(path)
            log.warning("Demo mode: no encryption key was set, so Ladder made one in %s (mode 0600); keep it with "
                        "the data, and set ENCRYPTION_KEYS or ENCRYPTION_KEY_FILE in production.", path)
        except FileExistsError:  # another process of this demo made it a moment ago
            pass
        ring = settings.encryption_key_ring()
    return Cipher(ring)


def _progress(rows, desc, total):
    from handlers.progress import track

    return track(rows, f"reading {desc}", total, unit="rows")


def cmd_seed(args, ladder) -> int:
    from handlers.seed_demo import seed_demo

    from handlers.kb_cli import ingest
    from handlers.seed_demo import HANDBOOK

    from handlers.seed_demo import prime_agent, waiting_text

    summary = seed_demo(ladder)
    print(f"Demo organisation ready: {summary}; {waiting_text(prime_agent(ladder))}.")
    report = ingest(ladder, [str(HANDBOOK)])
    print(f"Handbook: {report.summary()}")
    from handlers.context import understander

    understander(ladder)  # fitted now (once per catalogue version), so the first chat message is answered at once
    return 0


def cmd_taxonomy(args, ladder) -> int:
    from skills_engine.esco import EscoFormatError
    from skills_engine.esco_import import import_esco

    try:
        summary = import_esco(ladder.db, Path(args.directory), progress=_progress)
    except EscoFormatError as exc:
        print(f"Import failed, nothing was changed: {exc}", file=sys.stderr)
        return 2
    ladder.indexes.invalidate()
    for name in ("occupations", "skills", "relations"):
        t = getattr(summary, name)
        print(f"{name:12} {t.inserted:>7,} new  {t.updated:>7,} updated  {t.unchanged:>7,} unchanged"
              + (f"  {t.skipped:,} skipped" if t.skipped else ""))
    for reason in summary.skipped_reasons:
        print(f"note: {reason}")
    print("Data: ESCO, European Commission (CC BY 4.0).")
    return 0


def cmd_chat(args, ladder) -> int:
    from bot.terminal_chat import form_values, interactive, one_shot

    try:
        form = form_values(args.form)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if form and args.click is None:
        print("--form gives the inputs a button asked for: use it with --click.", file=sys.stderr)
        return 2
    if args.message is not None or args.click is not None:
        return one_shot(ladder, args.as_email, message=args.message, click=args.click, form=form, as_json=args.json,
                        conversation=args.conversation)
    return interactive(ladder, args.as_email, conversation=args.conversation)


def cmd_serve(args, ladder) -> int:
    from bot import server, slack, teams
    from handlers.context import understander

    understander(ladder)  # before traffic: fitting the intent model (first start only) must not delay a first answer
    # The channels `serve` offers; each stays off (saying why in the log) until its settings are there.
    server.run(ladder, args.host or ladder.settings.host, args.port or ladder.settings.port,
               channels=(teams.mount, slack.mount))
    return 0


def _needs_broker(ladder, what: str) -> bool:
    if ladder.settings.task_broker_url:
        return True
    print(f"{what} needs TASK_BROKER_URL (amqp://… for RabbitMQ, redis://… for Redis). Without one, "
          "`python app.py serve` runs every task and scheduled job in its own process.", file=sys.stderr)
    return False


def cmd_worker(args, ladder) -> int:
    if not _needs_broker(ladder, "A worker"):
        return 2
    from bot.worker import lower_priority, pin_to_cpus, run_worker
    from handlers.context import understander

    lower_priority(ladder.settings.worker_priority)  # every thread so far, and those made later inherit them
    pin_to_cpus(ladder.settings.worker_cpus)
    understander(ladder)  # loaded before the first task, not during it
    return run_worker(ladder, threads=args.threads)


def cmd_scheduler(args, ladder) -> int:
    if not _needs_broker(ladder, "The scheduler"):
        return 2
    import asyncio
    import signal

    from bot.tasks.app import broker_queue
    from bot.tasks.schedule import Scheduler

    queue = broker_queue(ladder.settings)
    scheduler = Scheduler(ladder, queue.submit)

    async def main() -> None:
        if args.once:
            for task in scheduler.tick():
                print(f"queued {task.payload.job} (slot {task.payload.slot})")
        else:
            stop = asyncio.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
            await scheduler.run(ladder.settings.scheduler_tick_seconds, stop)
        await queue.close()

    asyncio.run(main())
    return 0


def cmd_agent(args, ladder) -> int:
    import json

    from agent.run import run_pass

    report = run_pass(ladder.approvals, ladder.settings)
    print(json.dumps(report.as_data(), indent=2) if args.json else "\n".join(report.lines()))
    return 0


def cmd_digests(args, ladder) -> int:
    from handlers import digests_cli

    return digests_cli.run(args, ladder)


def cmd_lms(args, ladder) -> int:
    import json

    from handlers import lms_clients
    from learning_records.lrs import LrsError

    with ladder.db.unit_of_work() as uow:
        if args.action == "list":
            print(json.dumps(lms_clients.listing(uow), indent=2))
            return 0
        if not args.name:
            print(f"lms {args.action} needs a NAME", file=sys.stderr)
            return 2
        if args.action == "map":  # an LMS activity id → a Ladder course code
            course = uow.skills.course_by_code(args.course) if args.course else None
            if course is None:
                print(f"lms map ACTIVITY_IRI COURSE_CODE: no course {args.course!r}", file=sys.stderr)
                return 2
            uow.xapi.map_activity(args.name, course.id)
            print(f"{args.name} is course {course.code}")
            return 0
        if args.action == "revoke":
            done = lms_clients.revoke(ladder, uow, args.name, None)
            print(f"revoked {args.name}" if done else f"no active LMS client named {args.name!r}")
            return 0 if done else 1
        try:
            client = lms_clients.add(ladder, uow, args.name, None)
        except LrsError as refused:
            print(refused.reason, file=sys.stderr)
            return 1
    print(json.dumps({"name": client.name, "endpoint": "/xapi/", "key": client.key, "secret": client.secret})
          if args.json else lms_clients.connection_text(ladder, client).replace("*", ""))
    return 0


def cmd_maturity(args, ladder) -> int:
    import json

    from handlers.maturity import assessment, render

    with ladder.db.read_only() as uow:
        result = assessment(ladder, uow)
    print(json.dumps(result.as_data(), indent=2, ensure_ascii=False) if args.json else render(result).text)
    return 0


def cmd_hris(args, ladder) -> int:
    from handlers import hris_cli

    return hris_cli.run(args, ladder)
def cmd_author(args, ladder) -> int:
    """Draft a course outline from a file (stored as a draft for L&D to approve in chat); prints the card."""
    import json
    from pathlib import Path

    from authoring.sources import SourceProblem
    from handlers import authoring

    try:
        source = authoring.source_from_file(ladder, Path(args.path))
    except SourceProblem as exc:
        print(str(exc))
        return 2
    with ladder.db.unit_of_work() as uow:
        reply = authoring._draft(ladder, uow, None, source)
    if args.json:
        print(json.dumps(reply.data, indent=2, ensure_ascii=False))
    else:
        print(reply.text)
        for card in reply.cards:
            print(f"\n{card.title}\n{card.body}")
    return 0 if reply.data.get("status") == "drafted" else 2
def cmd_forecast(args) -> int:
    from handlers import forecast_cli

    return forecast_cli.run(args)


def cmd_insights(args, ladder) -> int:
    from handlers import insights_cli

    return insights_cli.run(args, ladder)


def cmd_onboarding(args, ladder) -> int:
    import json

    import onboarding

    report = onboarding.run(ladder.approvals)
    print(json.dumps(report.as_data(), indent=2) if args.json else "\n".join(report.lines()))
    return 0


def cmd_skills(args, ladder) -> int:
    from handlers.skills_cli import run

    return run(ladder, args)


def cmd_teams(args, ladder) -> int:
    from bot.teams.manifest import PackageError, build_package

    try:
        out = build_package(ladder.settings, Path(args.out)) if args.out else build_package(ladder.settings)
    except PackageError as exc:
        print(f"Cannot build the Teams app package: {exc}", file=sys.stderr)
        return 2
    print(f"Teams app package written to {out} (manifest.json, color.png, outline.png). "
          "Upload it in Teams: Apps → Manage your apps → Upload an app.")
    return 0


def cmd_kb(args, ladder) -> int:
    from handlers import kb_cli

    return kb_cli.run(args, ladder)


def cmd_nlu(args, ladder) -> int:
    from handlers import nlu_cli

    return nlu_cli.run(args, ladder)


def cmd_audit(args, ladder) -> int:
    if args.audit_command in ("verify", "seal"):
        from handlers import audit_verify

        return audit_verify.run(args, ladder)
    from handlers import bias_cli

    return bias_cli.run(args, ladder)


def cmd_embedding_model(args, ladder) -> int:
    """Say where the sentence model comes from and check that it loads; fetch it through Chroma when it is missing.
    An explicit request, so it downloads even with EMBEDDING_DOWNLOAD=false (which only stops Ladder doing it alone)."""
    from knowledge import model_files
    from knowledge.embedding import MiniLMEmbedding

    files = model_files.locate(ladder.settings.embedding_model_dir)
    if not files.present and not files.configured and not args.no_download:
        print(f"Downloading {model_files.MODEL_NAME} through Chroma into {files.folder} ...", file=sys.stderr)
        try:
            files = model_files.download()
        except Exception as exc:  # noqa: BLE001 - offline, a proxy, a full disk: say which, plainly
            print(model_files.missing_advice(files, error=exc), file=sys.stderr)
            return 1
    if not files.present:
        print(model_files.missing_advice(files, not_downloaded_because="--no-download"), file=sys.stderr)
        return 1
    try:
        dimensions = len(MiniLMEmbedding(files.folder)(["parental leave"])[0])
    except Exception as exc:  # noqa: BLE001 - a broken file is reported, not a traceback
        print(f"{model_files.MODEL_NAME} in {files.folder} could not be loaded ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    print(f"{model_files.MODEL_NAME}: {files.folder} ({files.origin}), loads, {dimensions} dimensions")
    return 0


def cmd_keys(args, ladder) -> int:
    from handlers import keys_cli

    return keys_cli.run(args, ladder)


def cmd_privacy(args, ladder) -> int:
    from handlers import privacy_cli

    return privacy_cli.run(args, ladder)


def cmd_db(args, ladder) -> int:
    print(f"Schema is up to date ({ladder.db.dialect}).")
    return 0


def cmd_permissions(args) -> int:
    """The permission matrix: who may do what to whom (needs no database)."""
    import json

    from governance import matrix_text

    print(json.dumps(matrix_text.as_data(), indent=2) if args.json else matrix_text.table())
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python app.py", description="Ladder — workforce intelligence in chat.")
    sub = p.add_subparsers(dest="command", required=True)

    seed = sub.add_parser("seed", help="build demo data")
    seed.add_argument("what", choices=["demo"])
    seed.set_defaults(func=cmd_seed)

    tax = sub.add_parser("taxonomy", help="taxonomy data")
    tax_sub = tax.add_subparsers(dest="taxonomy_command", required=True)
    imp = tax_sub.add_parser("import-esco", help="import the official ESCO CSV download (idempotent)")
    imp.add_argument("directory", help="folder of the ESCO v1.1.1 CSV download (en/, relations/)")
    imp.set_defaults(func=cmd_taxonomy)

    chat = sub.add_parser("chat", help="chat with Ladder in the terminal")
    chat.add_argument("--as", dest="as_email", required=True, metavar="EMAIL", help="who you are (a directory email)")
    chat.add_argument("--message", "-m", help="send one message and exit")
    chat.add_argument("--click", metavar="ACTION_REF", help="press a button by the reference an earlier reply gave")
    chat.add_argument("--form", action="append", default=[], metavar="NAME=VALUE",
                      help="with --click: a value for the form the button asked for (repeat for each field)")
    chat.add_argument("--json", action="store_true", help="print the reply as JSON")
    chat.add_argument("--conversation", default="terminal", help="conversation id (keeps follow-up context)")
    chat.set_defaults(func=cmd_chat)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run tasks from the broker (TASK_BROKER_URL) until stopped")
    worker.add_argument("--threads", type=int, help="tasks run at once (default WORKER_THREADS)")
    worker.set_defaults(func=cmd_worker)

    scheduler = sub.add_parser("scheduler", help="queue the scheduled jobs (agent pass, digests, …) once per interval")
    scheduler.add_argument("--once", action="store_true", help="queue what is due now and exit")
    scheduler.set_defaults(func=cmd_scheduler)

    agent = sub.add_parser("agent", help="Ladder's agent: signals -> proposals")
    agent.add_argument("action", choices=["run"], help="one pass now (serve runs it every AGENT_INTERVAL_SECONDS)")
    agent.add_argument("--json", action="store_true", help="print the counts as JSON")
    agent.set_defaults(func=cmd_agent)

    onboard = sub.add_parser("onboarding", help="new hires: the onboarding pass (managers' cards, welcomes on the start date)")
    onboard.add_argument("action", choices=["run"], help="one pass now (serve runs it every ONBOARDING_INTERVAL_SECONDS)")
    onboard.add_argument("--json", action="store_true", help="print what it did as JSON")
    onboard.set_defaults(func=cmd_onboarding)

    maturity = sub.add_parser("maturity", help="where the organisation sits on the maturity ladder: evidence per stage, next steps")
    maturity.add_argument("--json", action="store_true", help="print the assessment as JSON")
    maturity.set_defaults(func=cmd_maturity)

    lms = sub.add_parser("lms", help="LMS clients of the xAPI endpoint: add NAME (prints key and secret once), list, revoke NAME; map ACTIVITY_IRI COURSE_CODE")
    lms.add_argument("action", choices=["add", "list", "revoke", "map"])
    lms.add_argument("name", nargs="?", default="", help="the client's name (map: the activity IRI)")
    lms.add_argument("course", nargs="?", default="", help="map: the course code")
    lms.add_argument("--json", action="store_true", help="add: print the credentials as JSON")
    lms.set_defaults(func=cmd_lms)
    hris = sub.add_parser("hris", help="HRIS exports in (people, role changes, ratings, KPIs) with a column-mapping file")
    hris.add_argument("action", choices=["import", "apply-due"])
    hris.add_argument("kind", nargs="?", choices=["people", "roles", "ratings", "kpis"], help="import: what the file holds")
    hris.add_argument("file", nargs="?", help="import: the CSV export")
    hris.add_argument("--mapping", help="import: the column-mapping file (YAML or JSON; see docs/hris.md)")
    hris.add_argument("--dry-run", action="store_true", help="import: check and count, write nothing")
    hris.add_argument("--errors", help="import: where the per-line error report goes (default FILE.errors.csv)")
    hris.add_argument("--json", action="store_true", help="print the report as JSON")
    hris.set_defaults(func=cmd_hris)
    author = sub.add_parser("author", help="draft a course outline from a document or voice memo (approve it in chat)")
    author.add_argument("path", help="a PDF, DOCX, Markdown, text or HTML file, or an audio file")
    author.add_argument("--json", action="store_true", help="print the draft as JSON")
    author.set_defaults(func=cmd_author)

    skills = sub.add_parser("skills", help="skills answers as JSON, course tagging (see handlers/skills_cli.py)")
    skills.add_argument("action", choices=["profile", "gap", "path", "closest", "tag-courses", "accept-tag", "extract"])
    skills.add_argument("args", nargs="*", help="accept-tag: COURSE_CODE SKILL_URI")
    skills.add_argument("--as", dest="as_email", metavar="EMAIL", help="whose skills (profile|gap|path|closest)")
    skills.add_argument("--role", help="target role (gap|path; default: the person's target role)")
    skills.add_argument("--json", action="store_true", help="print JSON")
    skills.add_argument("--top", type=int, default=10, metavar="K", help="extract: at most K skills per text")
    skills.add_argument("--each-line", action="store_true",
                        help="extract: every stdin line is its own text; one JSON document per line, in order")
    skills.set_defaults(func=cmd_skills)

    teams = sub.add_parser("teams", help="Microsoft Teams app")
    teams.add_argument("action", choices=["package"], help="build the Teams app package (manifest + icons) as a zip")
    teams.add_argument("--out", help="where to write the zip (default dist/ladder-teams.zip)")
    teams.set_defaults(func=cmd_teams)

    from handlers import kb_cli

    kb_cli.add_parser(sub)
    sub.choices["kb"].set_defaults(func=cmd_kb)

    from handlers import digests_cli

    digests_cli.add_parser(sub)
    sub.choices["digests"].set_defaults(func=cmd_digests)
    from handlers import nlu_cli

    nlu_cli.add_parser(sub)
    sub.choices["nlu"].set_defaults(func=cmd_nlu)
    from handlers import bias_cli

    bias_cli.add_parser(sub)
    sub.choices["audit"].set_defaults(func=cmd_audit)
    from handlers import privacy_cli

    privacy_cli.add_parser(sub)
    sub.choices["privacy"].set_defaults(func=cmd_privacy)
    model = sub.add_parser("embedding-model", help="the knowledge base's sentence model: where it loads from; "
                                                   "downloads it through Chroma when missing")
    model.add_argument("--no-download", action="store_true", help="only say where it is and whether it loads")
    model.set_defaults(func=cmd_embedding_model)

    from handlers import forecast_cli

    forecast_cli.add_parser(sub)
    sub.choices["forecast"].set_defaults(func=cmd_forecast, needs_ladder=False)
    from handlers import insights_cli

    insights_cli.add_parser(sub)
    sub.choices["insights"].set_defaults(func=cmd_insights)
    from handlers import keys_cli

    keys_cli.add_parser(sub)
    sub.choices["keys"].set_defaults(func=cmd_keys)
    perms = sub.add_parser("permissions", help="print the permission matrix: capabilities × roles (self, report, anyone)")
    perms.add_argument("--json", action="store_true", help="print it as JSON")
    perms.set_defaults(func=cmd_permissions, needs_ladder=False)

    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(func=cmd_db)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "keys" and args.keys_command == "new":
        from handlers.keys_cli import new_key

        return new_key()  # before the settings: a machine refused for want of a key must be able to make one
    if getattr(args, "needs_ladder", True) is False:
        return args.func(args)
    from bot.logging_setup import configure
    from settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as exc:
        for err in exc.errors():
            print(f"Configuration error: {err['msg']}", file=sys.stderr)
        return 2
    # People at a terminal get readable logs; servers get JSON lines.
    serving = args.command in ("serve", "worker", "scheduler")
    configure(settings.log_level if serving else "WARNING", json_lines=settings.log_json and serving)
    try:
        ladder = build(settings)
    except Exception as exc:  # noqa: BLE001 - say what failed in plain words
        from storage.encryption import EncryptionError

        if isinstance(exc, EncryptionError):
            print(f"Ladder could not start: {exc}.", file=sys.stderr)
            return 2
        from conversation.errors import log_failure

        error_id = log_failure(log, "start-up failed")
        print(f"Ladder could not start: cannot open the database ({type(exc).__name__}). Error id {error_id}.", file=sys.stderr)
        return 1
    return args.func(args, ladder)


if __name__ == "__main__":
    sys.exit(main())
