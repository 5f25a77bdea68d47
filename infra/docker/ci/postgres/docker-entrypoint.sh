#!/bin/bash
# First start: initdb with the given superuser and password, run /docker-entrypoint-initdb.d on a
# server that listens on no TCP port (so health checks only pass once it is really ready), stop
# it. Every start: exec postgres as PID 1, listening on all interfaces.
set -euo pipefail
if [ "${1:-postgres}" = postgres ]; then shift $(( $# > 0 ? 1 : 0 )); else exec "$@"; fi
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD must be set (the server accepts password logins from other hosts)" >&2
    exit 1
  fi
  initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
  echo 'host all all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
  pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start
  psql=(psql --no-psqlrc --set ON_ERROR_STOP=1 --username "$POSTGRES_USER")
  if [ "$POSTGRES_DB" != postgres ]; then
    "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sql) echo "running $file"; "${psql[@]}" --dbname "$POSTGRES_DB" --file "$file" ;;
      *.sh) echo "running $file"; . "$file" ;;
      *) ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
