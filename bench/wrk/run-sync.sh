#!/usr/bin/env bash
# Idempotent sync mutations per second against a real `herald serve`, driven by wrk (C, so the load generator
# takes little of the 2 cores), on SQLite and PostgreSQL. Usage: bench/wrk/run-sync.sh [seconds] [connections] [users]
# users: how many users write to the one shared collection, in turn (default 1: one user flat out).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/find-jdk.sh
seconds=${1:-20}
connections=${2:-32}
users=${3:-1}
jar=server/target/herald.jar
[ -f "$jar" ] || ./mvnw -q -B -DskipTests -pl server -am package
for backend in sqlite postgres; do
  dir=$(mktemp -d)
  args=(serve --port 18181 --host 127.0.0.1 --data-dir "$dir" --vapid-subject mailto:bench@herald.example --sync-collections posts:shared --rate-limit-sync off)
  if [ "$backend" = postgres ]; then
    schema=herald_wrk_$$
    psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE SCHEMA $schema"
    args+=(--database-url "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema")
  fi
  HERALD_LOG_LEVEL=WARN "$JAVA_HOME/bin/java" -jar "$jar" "${args[@]}" & pid=$!
  for _ in $(seq 1 60); do curl -sf localhost:18181/readyz >/dev/null && break; sleep 0.5; done
  key=$("$JAVA_HOME/bin/java" -jar "$jar" keys create --scope manage --data-dir "$dir" "${args[@]:7}" 2>/dev/null)
  tokens=""
  for u in $(seq 1 "$users"); do
    t=$(curl -sf -XPOST -H "Authorization: Bearer $key" localhost:18181/api/v1/users/bench$u/tokens | sed 's/.*"token":"\([^"]*\)".*/\1/')
    tokens="$tokens${tokens:+,}$t"
  done
  echo "== $backend: $connections connections, $users users, ${seconds}s; $(uptime)"
  TOKENS=$tokens wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/wrk/mutations.lua http://127.0.0.1:18181 \
    | grep -E "Requests/sec|Latency|50%|99%|non-2xx"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ "$backend" = postgres ] && psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA $schema CASCADE"
  rm -rf "$dir"
done
