#!/usr/bin/env bash
# The Docker half of CI (issue: compose demo and testcontainers, proven without a registry):
#  1. a Docker engine (Debian's, started here if none runs),
#  2. every image built on this machine (infra/docker/ci/build-images.sh),
#  3. the committed docker-compose.yml up on those images; orders placed over REST; outcomes,
#     the trace in Jaeger and the mail in Mailpit checked (tools/compose-check); then down -v,
#     and nothing of it left running,
#  4. the test suites again, with their infrastructure as testcontainers on that engine.
# Everything it starts, it stops, also when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo; echo "=== docker: $* ($(( $(date +%s) - started ))s)"; }
. .ci/node-env.sh > /dev/null

export DOCKERD_PIDFILE=/tmp/ecommerce-ci-dockerd.pid
rm -f "$DOCKERD_PIDFILE"
export COMPOSE_PROJECT_NAME=ecommerce-ci
if docker compose version > /dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
compose+=(--env-file infra/docker/ci/compose.env)
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && docker info > /dev/null 2>&1; then
    echo "--- compose state and service logs (failure)"
    "${compose[@]}" ps || true
    "${compose[@]}" logs --no-color --tail=60 || true
  fi
  "${compose[@]}" down -v --remove-orphans > /dev/null 2>&1 || true
  if [ -s "$DOCKERD_PIDFILE" ]; then
    kill "$(cat "$DOCKERD_PIDFILE")" 2> /dev/null || true
    for _ in $(seq 1 30); do kill -0 "$(cat "$DOCKERD_PIDFILE")" 2> /dev/null || break; sleep 1; done
    rm -f "$DOCKERD_PIDFILE"
  fi
  exit "$status"
}
trap cleanup EXIT

step "engine"
infra/docker/ci/docker-engine.sh

step "images"
infra/docker/ci/build-images.sh

step "compose up"
set -a; . infra/docker/ci/compose.env; set +a
# `up -d` returns once every service is started, and a service starts only when its
# depends_on conditions hold (healthy infrastructure, init exited 0).
"${compose[@]}" up -d --no-build
"${compose[@]}" ps

step "compose demo: orders, trace, mail, console, Prometheus and Grafana"
ORDER_URL=http://127.0.0.1:$ORDER_SERVICE_PORT \
INVENTORY_URL=http://127.0.0.1:$INVENTORY_SERVICE_PORT \
PAYMENT_URL=http://127.0.0.1:$PAYMENT_SERVICE_PORT \
JAEGER_URL=http://127.0.0.1:$JAEGER_UI_PORT \
MAILPIT_URL=http://127.0.0.1:$MAILPIT_UI_PORT \
CONSOLE_URL=http://127.0.0.1:$ORDER_CONSOLE_PORT \
PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT \
GRAFANA_URL=http://127.0.0.1:$GRAFANA_PORT \
  npx tsx tools/compose-check/src/verify-compose-demo.ts
"${compose[@]}" logs --no-color seed | tail -n 5

step "compose down -v"
"${compose[@]}" down -v --remove-orphans
left=$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
volumes=$(docker volume ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
if [ -n "$left$volumes" ]; then
  echo "compose down -v left containers [$left] volumes [$volumes]" >&2
  exit 1
fi
echo "nothing left: no container, no volume of $COMPOSE_PROJECT_NAME"

step "tests through testcontainers: npm test"
# Ryuk, testcontainers' reaper, is an image too; the harness stops its containers itself.
TEST_INFRA=testcontainers TESTCONTAINERS_RYUK_DISABLED=true \
TEST_KAFKA_IMAGE=ecommerce-ci/kafka:4.3.2 \
TEST_SCHEMA_REGISTRY_IMAGE=ecommerce-ci/schema-registry:3.3.3 \
TEST_POSTGRES_IMAGE=ecommerce-ci/postgres:15 \
  npm test
if [ -n "$(docker ps -q)" ]; then
  echo "containers left running after the tests:" >&2
  docker ps >&2
  exit 1
fi

step "done"
