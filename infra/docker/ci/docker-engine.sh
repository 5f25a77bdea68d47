#!/usr/bin/env bash
# Makes sure a Docker engine answers. If none does, installs Debian's (docker.io, plus
# docker-compose v1 and debootstrap for build-images.sh) and starts dockerd in the background,
# writing its pid to $DOCKERD_PIDFILE so that whoever called this can stop it (stop-docker-engine).
set -euo pipefail
pidfile=${DOCKERD_PIDFILE:-/tmp/ecommerce-ci-dockerd.pid}
log() { echo "[docker-engine $(date +%T)] $*"; }

if docker info > /dev/null 2>&1; then
  log "a Docker engine is already running; using it"
  exit 0
fi
missing=()
command -v dockerd > /dev/null || missing+=(docker.io)
command -v docker-compose > /dev/null || docker compose version > /dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap > /dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian"
  apt-get update -q > /dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null
fi
log "starting dockerd"
nohup dockerd --log-level=warn > /tmp/ecommerce-ci-dockerd.log 2>&1 &
echo $! > "$pidfile"
for _ in $(seq 1 60); do
  docker info > /dev/null 2>&1 && { log "dockerd is up (pid $(cat "$pidfile"))"; exit 0; }
  sleep 1
done
log "dockerd did not answer within 60 s; its log:"
tail -n 30 /tmp/ecommerce-ci-dockerd.log
exit 1
