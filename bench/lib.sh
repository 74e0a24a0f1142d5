# Sourced by the benchmark scripts: the scratch folder and the end of a run, its database, a
# new password on reuse, the server, the login and wrk.
# The caller has set database (empty for SQLite), out, reuse, bin, port and cli().

# bench_scratch NAME: a scratch folder tmp (removed at exit when --out names another), out (the
# caller's --out, or tmp), and at exit the server stopped and the run's PostgreSQL database
# dropped (pg_db, left empty by bench_database on --reuse).
bench_scratch() {
    tmp="$(mktemp -d -t "sportello-$1.XXXXXX")"
    out="${out:-$tmp}"
    mkdir -p "$out"
    server_pid=""
    pg_admin=""
    pg_db=""
    trap bench_cleanup EXIT
}

bench_cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "$pg_db" ]; then
        psql "$pg_admin" -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [ "$out" != "$tmp" ]; then rm -rf "$tmp"; fi
}

# bench_database FILE [KEPT...]: sets database, backend, pg_db and pg_admin, and load (empty when
# --reuse finds the data of an earlier run: the SQLite file DIR/FILE or the PostgreSQL database,
# and every KEPT file). Otherwise the SQLite file is removed, the PostgreSQL database made anew.
# With --reuse pg_db is left empty, so the caller's cleanup keeps the database.
bench_database() {
    local file="$1" kept="$reuse" f
    shift
    for f in "$@"; do [ -f "$f" ] || kept=""; done
    load=1
    if [ -z "$database" ]; then
        database="sqlite://$out/$file"
        backend="SQLite"
        if [ -n "$kept" ] && [ -f "$out/$file" ]; then
            load=""
        else
            rm -f "$out/$file" "$out/$file-wal" "$out/$file-shm"
        fi
    else
        command -v psql >/dev/null || { echo "manca psql" >&2; exit 2; }
        backend="PostgreSQL"
        pg_db="${database##*/}"; pg_db="${pg_db%%\?*}"
        pg_admin="${database%/*}/postgres"
        if [ -n "$kept" ] \
            && [ "$(psql "$pg_admin" -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" = 1 ]; then
            load=""
        else
            psql "$pg_admin" -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null
            psql "$pg_admin" -qAt -c "CREATE DATABASE \"$pg_db\"" >/dev/null
        fi
        [ -z "$reuse" ] || pg_db=""
    fi
}

# bench_reused LOGIN: on a reused database, migrates it and prints a new provisional password
# for LOGIN (`sportello user passwd`; a TOTP secret stays).
bench_reused() {
    echo "-- base dati di un'esecuzione precedente (--reuse)" >&2
    cli migrate >/dev/null
    local otp
    otp="$(cli user passwd "$1" | sed -n 's/.*Nuova password provvisoria[^:]*: //p')"
    [ -n "$otp" ] || { echo "password provvisoria non trovata nell'output di user passwd" >&2; exit 1; }
    echo "$otp"
}

# bench_before_run: called before each wrk run; a script that must prepare its data again
# (bench/dsu.sh: the versions its saves compare and set) defines its own.
bench_before_run() { :; }

# bench_wrk SCRIPT BASE: wrk with the page script and the caller's connections, duration, here
# (the bench folder) and out,
# once for each mean think time in think (milliseconds, comma-separated; 0: each connection
# asks again the instant its answer arrives, the server's saturation; above 0: each connection
# is an operator who reads the page for a random time of that mean, bench/think.lua). Each run
# has 5 s of warm-up; wrk's output goes to $out/wrk.txt (think 0) or $out/wrk-think-N.txt and
# one line per run to $out/summary.txt.
bench_wrk() {
    local script="$1" base="$2" threads=2 t file
    [ "$connections" -ge 2 ] || threads=1
    : >"$out/summary.txt"
    for t in ${think//,/ }; do
        [[ "$t" =~ ^[0-9]+$ ]] || { echo "--think: $t non è un numero di millisecondi" >&2; exit 2; }
        file="$out/wrk.txt"; [ "$t" = 0 ] || file="$out/wrk-think-$t.txt"
        echo "-- $connections connessioni, pausa media tra due richieste di una connessione: $t ms"
        bench_before_run
        BENCH_DIR="$here" BENCH_THINK_MS="$t" wrk -t "$threads" -c "$connections" -d 5s -s "$script" "$base" >/dev/null
        bench_before_run
        BENCH_DIR="$here" BENCH_THINK_MS="$t" wrk -t "$threads" -c "$connections" -d "$duration" --latency -s "$script" "$base" | tee "$file"
        awk -v think="$t" '/^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
             /Requests\/sec/ { rps = $2 } $1 == "Latency" && NF >= 4 { max = $4 }
             /Non-2xx/ { non2xx = $NF } /Socket errors/ { sock = $0 }
             END { printf "== pausa %s ms: p50 %s, p90 %s, p99 %s, max %s, %s richieste/s, risposte non 2xx: %s%s\n",
                   think, p50, p90, p99, max, rps, (non2xx == "" ? 0 : non2xx), (sock == "" ? "" : "; " sock) }' "$file" \
            | tee -a "$out/summary.txt"
    done
}

# bench_serve: starts `sportello serve` of the caller's bin on database and port, in the
# background (server_pid; its log $out/server.log), sets base and waits for /health.
bench_serve() {
    "$bin" --database "$database" serve --listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
    server_pid=$!
    base="http://127.0.0.1:$port"
    for _ in $(seq 1 300); do
        curl -fs "$base/health" >/dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
        sleep 0.1
    done
}

# bench_login LOGIN OTP: LOGIN signs in with its provisional password OTP and sets a new one,
# through the real pages (cookie jar $tmp/cookies: jar); sets sid. An account with a second
# factor goes on with jar (`POST /totp`) and reads sid again.
bench_login() {
    jar="$tmp/cookies"
    local newpw="Sportello-bench-$RANDOM-cavallo-batteria-graffetta"
    curl -fs -o /dev/null -c "$jar" --data-urlencode "login=$1" --data-urlencode "password=$2" "$base/login"
    curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "attuale=$2" \
        --data-urlencode "nuova=$newpw" --data-urlencode "conferma=$newpw" "$base/password"
    sid="$(awk '$6 == "sportello_sid" { print $7 }' "$jar" | tail -n 1)"
}

# bench_comune: migrates and adds the organization comune-bench (Comune di Bergamo, 016024)
# with its responsabile resp.bench; sets otp, the responsabile's provisional password.
bench_comune() {
    cli migrate >/dev/null
    cli org add comune-bench --name "Comune di Bergamo" --kind comune --comuni 016024 >/dev/null
    otp="$(cli user add resp.bench --name "Resp Bench" --org comune-bench --role responsabile \
        | sed -n 's/.*Password provvisoria[^:]*: //p')"
    [ -n "$otp" ] || { echo "password provvisoria non trovata nell'output di user add" >&2; exit 1; }
}

# bench_totp_login LOGIN OTP SECRET: bench_login, then the second factor with the TOTP code of
# SECRET (stored beforehand as the account's totp_secret); sets sid and checks that / answers.
bench_totp_login() {
    bench_login "$1" "$2"
    local code status
    code="$(python3 - "$3" <<'PY'
import base64, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
h = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
)"
    curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "codice=$code" "$base/totp"
    sid="$(awk '$6 == "sportello_sid" { print $7 }' "$jar" | tail -n 1)"
    bench_signed_in
}

# bench_signed_in: checks that the session sid opens / (it is stored: it outlives a restart).
bench_signed_in() {
    local status
    status="$(curl -s -o /dev/null -w '%{http_code}' -b "sportello_sid=$sid" "$base/")"
    [ "$status" = 200 ] || { echo "accesso non riuscito: / risponde $status" >&2; exit 1; }
}
