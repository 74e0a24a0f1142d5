#!/usr/bin/env bash
# Two Sportello processes on one PostgreSQL database behind a round-robin balancer
# (bench/balancer.py); one is killed (SIGKILL) in the middle of the load and the other keeps
# serving. Checks: every request answered (none lost but those the balancer retries), the
# login throttle counted across both processes, the background jobs run once per period.
#   bench/two-servers.sh [--bin target/debug/sportello] [--database postgres://…/sportello_two]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/sportello
database="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
database="${database%/*}/sportello_two_servers"
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin="$2"; shift 2 ;;
        --database) database="$2"; shift 2 ;;
        *) echo "uso: $0 [--bin FILE] [--database URL]" >&2; exit 2 ;;
    esac
done
[ -x "$bin" ] || { echo "manca $bin (cargo build -p sportello)" >&2; exit 2; }
pg_admin="${database%/*}/postgres"
pg_db="${database##*/}"
tmp="$(mktemp -d -t sportello-two.XXXXXX)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql "$pg_admin" -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
psql "$pg_admin" -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null
psql "$pg_admin" -qAt -c "CREATE DATABASE \"$pg_db\"" >/dev/null

export SPORTELLO__DATABASE__URL="$database"
export SPORTELLO__AUDIT__KEY_FILE="$tmp/audit.key"
export SPORTELLO__ADMIN__PASSWORD="prima-password-della-prova"
export SPORTELLO__TRUSTED_PROXIES="127.0.0.1"
export SPORTELLO__METRICS__TOKEN="token-delle-metriche-della-prova"
export SPORTELLO__LOG__FORMAT=json
# `migrate` first, then one server (whose first start makes the first administrator and the
# audit key), then the other, as docs/installazione.md advises for an empty database.
"$bin" migrate >"$tmp/migrate.log" 2>&1
launch() {
    "$bin" serve --listen "127.0.0.1:$1" >>"$tmp/server-$1.log" 2>&1 &
    pids+=($!)
}
ready() {
    for _ in $(seq 1 200); do
        curl -sf "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "il server sulla porta $1 non è partito" >&2; cat "$tmp/server-$1.log" >&2; exit 1
}
launch 18401; pid_a=$!
ready 18401
launch 18402
ready 18402
python3 bench/balancer.py 18400 18401 18402 &
pids+=($!)
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18400/health >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$pid_a" <<'PY'
import os, signal, sys, threading, time, urllib.error, urllib.parse, urllib.request
victim = int(sys.argv[1])
base = "http://127.0.0.1:18400"
results, lock = [], threading.Lock()

def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=15) as r:
            return r.status, r.headers.get("X-Backend")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("X-Backend")
    except OSError as e:
        return str(e), None

def worker(n):
    for i in range(n):
        path = "/login" if i % 2 else "/ready"
        got = get(path)
        with lock:
            results.append((time.monotonic(), path, got))

threads = [threading.Thread(target=worker, args=(600,)) for _ in range(8)]
started = time.monotonic()
for t in threads: t.start()
time.sleep(1.0)
os.kill(victim, signal.SIGKILL)
killed = time.monotonic()
for t in threads: t.join()
ok = [r for r in results if r[2][0] == 200]
bad = [r for r in results if r[2][0] != 200]
after = [r for r in results if r[0] > killed + 0.5]
backends_after = {r[2][1] for r in after}
print(f"richieste {len(results)}, risposte 200 {len(ok)}, altre {len(bad)}; "
      f"dopo l'arresto {len(after)}, servite da {sorted(b for b in backends_after if b)}; "
      f"durata {time.monotonic() - started:.1f} s")
assert not bad, bad[:5]
assert backends_after == {"18402"}, backends_after

# The login throttle counts across the surviving server and the one restarted below is
# checked by the caller; here: five wrong passwords through the balancer, then a wait.
def post(path, form):
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(base + path, data=data, headers={"Sec-Fetch-Site": "same-origin"})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
codes = [post("/login", {"login": "admin", "password": "sbagliata"}) for _ in range(5)]
assert codes == [401] * 5, codes
PY
# The killed server comes back; the sixth attempt, on whichever server, waits.
launch 18401; ready 18401
for i in 1 2; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: same-origin' \
        --data 'login=admin&password=prima-password-della-prova' http://127.0.0.1:18400/login)
    [ "$code" = 429 ] || { echo "tentativo $i dopo 5 errori: $code invece di 429" >&2; exit 1; }
done
echo "limite degli accessi: contato su entrambi i server (429 da ciascuno)"
# The jobs: each period once, whatever the number of servers.
psql "$database" -qAt -c "SELECT job, period, count(*) FROM job_run GROUP BY job, period HAVING count(*) > 1" | grep . && { echo "un periodo eseguito due volte" >&2; exit 1; }
psql "$database" -qAt -F ' ' -c "SELECT job, count(*), string_agg(DISTINCT server, ',') FROM job_run GROUP BY job ORDER BY job"
curl -sf -H "Authorization: Bearer $SPORTELLO__METRICS__TOKEN" http://127.0.0.1:18402/metrics | grep -E '^sportello_job_runs_total|^sportello_db_pool_connections'
echo "ok"
