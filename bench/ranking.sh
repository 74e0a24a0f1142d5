#!/usr/bin/env bash
# Ranking benchmark (issue 25, "Performance"): a call of 100,000 applications ranked, stored
# and published in ≤ 1 s, through the real pages of a release build on SQLite.
#
#   bench/ranking.sh [--applications 100000] [--runs 5] [--port 18332] [--bin PATH] [--out DIR]
#
# 1. `sportello demo generate` and `sportello import anagrafe` make the applicants (one
#    application each), `sportello demo applications --count 30` the base catalogue and a few
#    applications whose stored outcome and declared facts serve as templates.
# 2. The responsabile (known TOTP secret) signs in through the real pages and opens, with the
#    ordinary form (`POST /bandi`), a call of the «contributo straordinario» scored by ISEE band
#    and by rent against the ISEE, as crates/web/tests/it/calls.rs does.
# 3. With the server stopped, python3 writes straight into SQLite --applications applications
#    to the call (submitted, eligible, ISEE and rent drawn so that scores tie often) with their
#    call entries, as filing at the counter stores them.
# 4. The server starts again; --runs times: `POST /bandi/{id}/graduatoria` (the entries read,
#    scored, ranked, funded down the budget and the 100,000 rows stored in one transaction, with
#    its audit row), then `GET graduatoria.csv` and `GET graduatoria.pdf` (the rows read back,
#    the publication made and audited), each timed by curl.
# Needs a release build (cargo build --release -p sportello), curl, python3. Figures:
# docs/performance.md, "Graduatorie".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
database=""
applications=100000
runs=5
port=18332
bin="${CARGO_TARGET_DIR:-$repo/target}/release/sportello"
out=""
reuse=""

while [ $# -gt 0 ]; do
    case "$1" in
        --applications) applications="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "opzione sconosciuta: $1" >&2; exit 2 ;;
    esac
done
for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "manca $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "manca $bin: cargo build --release -p sportello (o --bin PATH)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

. "$here/lib.sh"
bench_scratch ranking
bench_database r.db
cd "$tmp"
export SPORTELLO__ADMIN__PASSWORD="Bench-admin-$RANDOM-$RANDOM-password"
cli() { "$bin" --database "$database" "$@"; }
db="${database#sqlite://}"; db="${db%%\?*}"

echo "== Graduatoria: $backend, $applications domande, $runs volte"
totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
bench_comune
cli user add op.bench --name "Operatore Bench" --org comune-bench --role operatore_sportello >/dev/null
"$bin" demo generate --persons "$((applications + 1000))" --seed 1 --out "$tmp/residenti.csv" 2>/dev/null
cli import anagrafe "$tmp/residenti.csv" --comune A794 --ente comune-bench >"$out/import.txt"
rm -f "$tmp/residenti.csv"
cli demo applications --count 30 --seed 1 --ente comune-bench >"$out/applications.txt"
python3 - "$db" "$totp_secret" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE app_user SET totp_secret = ? WHERE login = 'resp.bench'", (sys.argv[2],))
db.commit()
PY

bench_serve
bench_totp_login resp.bench "$otp" "$totp_secret"
benefit="$(python3 -c "import sqlite3,sys,uuid; print(uuid.UUID(bytes=sqlite3.connect(sys.argv[1]).execute(\"SELECT b.id FROM benefit b JOIN organization o ON o.id = b.org_id WHERE o.code = 'comune-bench' AND b.code = 'contributo-straordinario'\").fetchone()[0]))" "$db")"
opens="$(date +%d/%m/%Y)"
closes="$(date -d '+1 day' +%d/%m/%Y)"
call="$(curl -s -o /dev/null -w '%{redirect_url}' -b "sportello_sid=$sid" \
    --data-urlencode "title=Contributo straordinario (banco di prova)" \
    --data-urlencode "benefit=$benefit" --data-urlencode "opens_on=$opens" \
    --data-urlencode "closes_on=$closes" --data-urlencode "budget=2.000.000" \
    --data-urlencode "partial_last=on" \
    --data-urlencode "publication_text=Bando per contributi straordinari alle famiglie." \
    --data-urlencode "questions=Numero del contratto di locazione" \
    --data-urlencode "isee_up_to=3.000" --data-urlencode "isee_points=30" \
    --data-urlencode "isee_up_to=6.000" --data-urlencode "isee_points=20" \
    --data-urlencode "isee_up_to=9.360" --data-urlencode "isee_points=10" \
    --data-urlencode "isee_up_to=" --data-urlencode "isee_points=" \
    --data-urlencode "isee_article=art. 5, c. 1" \
    --data-urlencode "rent_from=30" --data-urlencode "rent_points=10" \
    --data-urlencode "rent_from=60" --data-urlencode "rent_points=20" \
    --data-urlencode "rent_from=" --data-urlencode "rent_points=" \
    --data-urlencode "rent_article=art. 5, c. 3" "$base/bandi")"
call="/${call#*://*/}"
case "$call" in /bandi/*) ;; *) echo "bando non creato: $call" >&2; exit 1 ;; esac
echo "-- bando $call"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

python3 - "$db" "${call#/bandi/}" "$applications" <<'PY'
import json, random, sqlite3, sys, time, uuid
target, call_hex, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(25)
db = sqlite3.connect(target)
db.execute("PRAGMA synchronous = OFF")
call = uuid.UUID(call_hex).bytes
org, benefit = db.execute("SELECT org_id, benefit_id FROM benefit_call WHERE id = ?", (call,)).fetchone()
filer = db.execute("SELECT id FROM app_user WHERE login = 'op.bench'").fetchone()[0]
# An application the demo stored through the procedure: its outcome and declared facts are
# the templates (eligible).
outcome, declared, rule = db.execute(
    "SELECT outcome, declared, rule_id FROM application WHERE org_id = ? AND outcome IS NOT NULL "
    "AND rule_id IS NOT NULL LIMIT 1", (org,)).fetchone()
o = json.loads(outcome); o["eligible"] = True; outcome = json.dumps(o)
persons = [r[0] for r in db.execute(
    "SELECT id FROM person WHERE org_id = ? AND id NOT IN (SELECT person_id FROM application) "
    "ORDER BY id LIMIT ?", (org, n))]
if len(persons) < n:
    sys.exit(f"solo {len(persons)} persone senza domanda")
today = time.strftime("%Y-%m-%d")
due = time.strftime("%Y-%m-%d", time.localtime(time.time() + 30 * 86400))
year = time.strftime("%Y")
now = time.time()

def uuid7(ms):
    b = bytearray(ms.to_bytes(6, "big") + rnd.getrandbits(80).to_bytes(10, "big"))
    b[6] = 0x70 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return bytes(b)

apps, entries = [], []
for k, pid in enumerate(persons):
    at = now - (n - k) * 0.01
    aid = uuid7(int(at * 1000))
    isee = rnd.choice([150_000, 250_000, 400_000, 500_000, 700_000, 900_000])
    rent = rnd.choice([None, 100_000, 200_000, 300_000, 450_000])
    committed = rnd.choice([25_000, 40_000, 60_000])
    apps.append((aid, org, pid, benefit, "%s/B%06d" % (year, k + 1), "presentata", "sportello", filer,
                 None, None, declared, outcome, rule, committed, committed, None, "", today, due,
                 None, None, None, "", 1, int(at * 1e6)))
    facts = {"isee": isee, "household_size": rnd.randint(1, 5), "minors": rnd.randint(0, 3),
             "disability": rnd.random() < 0.1, "rent": rent, "waiting_months": None}
    answers = {"disability": facts["disability"], "rent": rent, "waiting_months": None,
               "questions": ["REG-%06d" % k]}
    entries.append((aid, org, call, pid, None, json.dumps(answers), json.dumps(facts)))
with db:
    db.executemany(
        "INSERT INTO application (id, org_id, person_id, benefit_id, protocol, state, channel, "
        "filed_by, reviewer_id, attestation_id, declared, outcome, rule_id, amount_cents, "
        "committed_cents, email, notes, submitted_on, due_on, suspended_since, notice_on, "
        "decided_on, decision_note, version, created_at_us) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", apps)
    db.executemany(
        "INSERT INTO call_application (application_id, org_id, call_id, person_id, household_id, "
        "answers, facts) VALUES (?,?,?,?,?,?,?)", entries)
db.execute("ANALYZE")
db.close()
print(f"-- {len(apps)} domande al bando", file=sys.stderr)
PY

bench_serve
bench_signed_in
appeals="$(date -d '+10 days' +%d/%m/%Y)"
: >"$out/runs.txt"
echo "-- calcolo e salvataggio (POST graduatoria), CSV, PDF; secondi:"
for r in $(seq 1 "$runs"); do
    rank="$(curl -s -o "$out/rank.html" -w '%{http_code} %{time_total}' -b "sportello_sid=$sid" \
        --data-urlencode "appeals_until=$appeals" "$base$call/graduatoria")"
    [ "${rank%% *}" = 303 ] || { echo "graduatoria non calcolata: $rank" >&2; exit 1; }
    csv="$(curl -s -o "$out/graduatoria.csv" -w '%{http_code} %{time_total}' -b "sportello_sid=$sid" "$base$call/graduatoria.csv")"
    pdf="$(curl -s -o "$out/graduatoria.pdf" -w '%{http_code} %{time_total}' -b "sportello_sid=$sid" "$base$call/graduatoria.pdf")"
    [ "${csv%% *}" = 200 ] && [ "${pdf%% *}" = 200 ] || { echo "pubblicazione non riuscita: $csv / $pdf" >&2; exit 1; }
    echo "${rank#* } ${csv#* } ${pdf#* }" | tee -a "$out/runs.txt" \
        | awk '{ printf "   calcolo e salvataggio %.3f, CSV %.3f, PDF %.3f, in tutto (con il CSV) %.3f\n", $1, $2, $3, $1 + $2 }'
done
rows="$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM ranking_row').fetchone()[0])" "$db")"
echo "-- $rows righe in ranking_row; CSV $(wc -l <"$out/graduatoria.csv") righe, PDF $(wc -c <"$out/graduatoria.pdf") byte"
sort -n -k1 "$out/runs.txt" | awk '{ r[NR] = $1; c[NR] = $2; p[NR] = $3 } END {
    m = int((NR + 1) / 2); printf "== mediana: calcolo e salvataggio %.3f s (su %d)\n", r[m], NR }'
