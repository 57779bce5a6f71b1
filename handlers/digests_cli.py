"""`python app.py digests run [--kind K] [--dry-run] [--force] [--json]`: send the digests due now (for cron), or show
what would go out."""

from __future__ import annotations

import json

from digests.run import run as run_digests
from digests.schedule import DigestKind
from handlers.context import Ladder
from handlers.digests import deps_for


def add_parser(sub) -> None:
    digests = sub.add_parser("digests", help="scheduled digests: send the ones due now (cron), or preview them")
    commands = digests.add_subparsers(dest="digests_command", required=True)
    go = commands.add_parser("run", help="send every digest due now, once (a lease keeps one run at a time)")
    go.add_argument("--kind", action="append", choices=[k.value for k in DigestKind],
                    help="only this kind (repeatable; default: all)")
    go.add_argument("--dry-run", action="store_true", help="build and count the digests due; claim and send nothing")
    go.add_argument("--force", action="store_true",
                    help="treat the current period as due now for everyone (still once per period; quiet hours hold)")
    go.add_argument("--show", action="store_true", help="with --dry-run: print each digest that would go out")
    go.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args, ladder: Ladder) -> int:
    kinds = [DigestKind(k) for k in args.kind] if args.kind else None
    report = run_digests(deps_for(ladder), kinds=kinds, dry_run=args.dry_run, force=args.force)
    if args.json:
        print(json.dumps(report.as_data(), indent=2))
    else:
        print("\n".join(report.lines()))
        if args.show:
            for kind, email, reply in report.previews:
                print(f"\n--- {kind} digest for {email} ---\n{reply.text}")
    return 1 if report.skipped and not args.dry_run and "holds the lock" not in report.skipped else 0
