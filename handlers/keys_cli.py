"""`python app.py keys new|status|rotate`: the operator's side of encryption at rest (docs/encryption.md)."""

from __future__ import annotations

import logging

from conversation.errors import log_failure
from handlers.context import Ladder
from storage.encryption import Cipher, EncryptionError
from storage.key_rotation import PLAINTEXT, ColumnRotation, key_usage, rotate


log = logging.getLogger(__name__)


def add_parser(sub) -> None:
    keys = sub.add_parser("keys", help="encryption keys: new, status (rows per key), rotate (re-encrypt)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("new", help="print a fresh key (put it first in ENCRYPTION_KEYS, then run `keys rotate`)")
    keys_sub.add_parser("status", help="rows per key id in every encrypted column: when an old key can go")
    rot = keys_sub.add_parser("rotate", help="re-encrypt every encrypted column under the newest key (resumable)")
    rot.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
    rot.add_argument("--restart", action="store_true", help="forget earlier progress and read every row again")


def new_key() -> int:
    """Needs no settings and no database: a production machine without a key yet can make one."""
    key = Cipher.generate_key()
    print(key)
    print(f"(key id {Cipher([key]).newest_key_id}; keep it secret, and keep old keys until `keys status` "
          "shows no row under them)")
    return 0


def run(args, ladder: Ladder) -> int:
    if args.keys_command == "new":
        return new_key()
    if args.keys_command == "status":
        return status(ladder)
    return rotate_all(ladder, batch=args.batch, restart=args.restart)


def status(ladder: Ladder) -> int:
    cipher = ladder.db.cipher
    configured = cipher.key_ids if cipher else ()
    usage = key_usage(ladder.db)
    totals: dict[str, int] = {}
    for column in usage:
        shown = ", ".join(f"{kid}: {_rows(n)}" for kid, n in sorted(column.counts.items())) or "no rows"
        print(f"{column.name:28} {shown}")
        for kid, n in column.counts.items():
            totals[kid] = totals.get(kid, 0) + n
    print()
    for position, kid in enumerate(configured):
        n = totals.get(kid, 0)
        role = "newest: new data is written under it" if position == 0 else (
            "still in use: keep it, or run `keys rotate`" if n else "it can be retired")
        print(f"key {kid} ({position + 1} of {len(configured)}): {_rows(n)}, {role}")
    if totals.get(PLAINTEXT):
        print(f"{_rows(totals[PLAINTEXT])} from before encryption still plaintext: run `keys rotate`")
    unknown = sorted(k for k in totals if k != PLAINTEXT and k not in configured)
    for kid in unknown:
        print(f"key {kid} is NOT configured but {_rows(totals[kid])} need it: add it back to ENCRYPTION_KEYS")
    return 1 if unknown else 0


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def rotate_all(ladder: Ladder, *, batch: int, restart: bool) -> int:
    def line(progress: ColumnRotation) -> None:
        state = "done" if progress.finished else "..."
        print(f"{progress.name:28} {progress.rows_seen:>9,} read {progress.rows_changed:>9,} re-encrypted  {state}",
              flush=True)

    try:
        report = rotate(ladder.db, batch=batch, restart=restart, on_batch=line)
    except EncryptionError as exc:
        print(f"Rotation stopped: {exc}. Rows done so far stay done; run it again to continue.")
        return 1
    except ValueError as exc:
        print(f"Cannot rotate: {exc}")
        return 2
    except Exception as exc:  # noqa: BLE001 - the database went away, a lock timed out: say so, plainly
        error_id = log_failure(log, "key rotation stopped")
        print(f"Rotation stopped ({type(exc).__name__}); rows done so far stay done, run it again to continue. "
              f"Error id {error_id}.")
        return 1
    if report.already_done:
        print(f"Rotation to key {report.target_key_id} had already finished on every column: nothing to do "
              "(--restart reads every row again).")
        return 0
    resumed = [c.name for c in report.columns if c.resumed_after is not None]
    if resumed:
        print(f"continued an interrupted run on: {', '.join(resumed)}")
    print(f"Every encrypted column is now under key {report.target_key_id} "
          f"({report.rows_changed:,} of {report.rows_seen:,} rows re-encrypted). "
          "`python app.py keys status` shows which old keys can be retired.")
    return 0
