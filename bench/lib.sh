# Sourced by the benchmark scripts: the database of a run, and a new password on reuse.
# The caller has set database (empty for SQLite), out, reuse and cli().

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
