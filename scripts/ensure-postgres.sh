#!/usr/bin/env bash
# Make sure the PostgreSQL the tests use (127.0.0.1:5432, user postgres) is up; start it if not.
set -euo pipefail
url_host=127.0.0.1
if pg_isready -h "$url_host" -p 5432 -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 30); do
  pg_isready -h "$url_host" -p 5432 -q 2>/dev/null && exit 0
  sleep 1
done
echo "PostgreSQL is not reachable at $url_host:5432; the PostgreSQL half of the tests cannot run." >&2
exit 1
