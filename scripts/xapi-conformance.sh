#!/usr/bin/env bash
# Run ADL's LRS conformance test suite (adlnet/lrs-conformance-test-suite, MIT, Node/mocha) against a local
# `python app.py serve` on a scratch SQLite database, then count the statement-API tests (bench/xapi_conformance.py).
#
#   bash scripts/xapi-conformance.sh [SUITE_DIR]      (default: $LRS_SUITE_DIR or /tmp/lrs)
#
# The suite is not part of Ladder. Get it once:  git clone https://github.com/adlnet/lrs-conformance-test-suite SUITE_DIR
# (this script runs `npm install --ignore-scripts` in it if node_modules is missing). Only 127.0.0.1 is contacted.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUITE="${1:-${LRS_SUITE_DIR:-/tmp/lrs}}"
PORT="${XAPI_CONFORMANCE_PORT:-8761}"
PY="$ROOT/.venv/bin/python"
if [ ! -f "$SUITE/bin/console_runner.js" ]; then
  echo "no conformance suite at $SUITE — git clone https://github.com/adlnet/lrs-conformance-test-suite $SUITE" >&2
  exit 2
fi
[ -d "$SUITE/node_modules" ] || (cd "$SUITE" && npm install --ignore-scripts --no-audit --no-fund >/dev/null)
DATA="$(mktemp -d)"
export DATA_DIR="$DATA" LADDER_ENV=demo
cd "$ROOT"
CREDS="$("$PY" app.py lms add conformance --json 2>/dev/null | tail -1)"
KEY="$(echo "$CREDS" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
SECRET="$(echo "$CREDS" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
"$PY" app.py serve --host 127.0.0.1 --port "$PORT" >"$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
(cd "$SUITE" && timeout 1200 node bin/console_runner.js -x 1.0.3 -e "http://127.0.0.1:$PORT/xapi" -a -u "$KEY" -p "$SECRET" \
   >"$DATA/suite.out" 2>&1) || true
LOG="$(grep -o 'Full run log written to .*' "$DATA/suite.out" | sed 's/Full run log written to //')"
"$PY" bench/xapi_conformance.py "$SUITE/${LOG#$SUITE/}" ${XAPI_CONFORMANCE_FAILURES:+--failures}
