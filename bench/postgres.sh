#!/usr/bin/env bash
# A throw-away PostgreSQL 15 for the akka-persistence-jdbc baseline: Debian's package, a cluster under
# target/pg owned by the postgres user, listening on 127.0.0.1:54329 only (port reserved for the journal benches).
#   bench/postgres.sh start   install if needed, initdb once, start, wait until it accepts connections
#   bench/postgres.sh stop    stop it (the data directory stays until `mvn clean`)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=54329
DATA="$PWD/target/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bin" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$bin"
}

case "${1:-start}" in
  start)
    BIN=$(pg_bin)
    mkdir -p "$DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA"; chmod 700 "$DATA"; fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      # fsync stays on (the default): synchronous_commit is chosen per connection by the benchmark
      # (on for "sync", off for "async"), so both modes run against the same server.
      as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA -c fsync=on -c max_connections=50 -c shared_buffers=256MB" >/dev/null
    fi
    "$BIN/pg_isready" -h 127.0.0.1 -p $PORT >/dev/null
    echo "postgres $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data $DATA)"
    ;;
  stop)
    BIN=$(pg_bin)
    if [ -f "$DATA/PG_VERSION" ]; then as_pg "$BIN/pg_ctl" -D "$DATA" -w -m fast stop >/dev/null 2>&1 || true; fi
    echo "postgres on $PORT stopped"
    ;;
  *) echo "usage: bench/postgres.sh start|stop" >&2; exit 2 ;;
esac
