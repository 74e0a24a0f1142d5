#!/usr/bin/env bash
# Regenerates the offline query data (.sqlx) of both store crates from scratch databases
# migrated with the crates' own migrations. With --check, writes into a temporary directory
# and fails if the committed data differs (what CI runs).
#   PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) must reach a server.
set -euo pipefail
cd "$(dirname "$0")/.."
check=${1:-}
pg_admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
scratch_pg="sportello_sqlx_$$"
trap 'rm -rf "$work"; psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $scratch_pg" 2>/dev/null' EXIT

python3 - "$work/scratch.db" crates/store-sqlite/migrations <<'PY'
import sqlite3, sys, pathlib
db = sqlite3.connect(sys.argv[1])
for f in sorted(pathlib.Path(sys.argv[2]).glob("*.sql")):
    db.executescript(f.read_text())
db.commit()
PY
psql -q "$pg_admin" -c "CREATE DATABASE $scratch_pg"
pg_url="${pg_admin%/*}/$scratch_pg"
for f in crates/store-postgres/migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$pg_url" -f "$f"; done

status=0
for crate in store-sqlite store-postgres; do
  out="crates/$crate/.sqlx"
  [ "$check" = "--check" ] && out="$work/$crate"
  rm -rf "$out" && mkdir -p "$out"
  touch crates/$crate/src/lib.rs
  SQLITE_DATABASE_URL="sqlite://$work/scratch.db" PG_DATABASE_URL="$pg_url" \
    SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$(realpath "$out")" cargo check -q -p "$crate" --tests
  if [ "$check" = "--check" ] && ! diff -r "crates/$crate/.sqlx" "$out" >/dev/null; then
    echo "crates/$crate/.sqlx is stale: run scripts/sqlx-prepare.sh and commit" >&2
    diff -r "crates/$crate/.sqlx" "$out" | head -20 >&2 || true
    status=1
  fi
done
exit $status
