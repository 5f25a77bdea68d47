#!/usr/bin/env bash
# Builds every image the compose demo and the testcontainers harness need, on a machine that can
# reach no image registry (Debian's packages, Maven Central and npm only):
#
#   ecommerce-ci/debian:bookworm          debootstrap, plus this machine's extra trusted CAs
#   ecommerce-ci/node:24                  stands in for node:24-bookworm-slim
#   ecommerce-ci/kafka:4.3.2              stands in for apache/kafka (compose's default since issue 14)
#   ecommerce-ci/schema-registry:3.3.3    Apicurio Registry, stands in for the registry images
#   ecommerce-ci/postgres:15              stands in for postgres
#   ecommerce-ci/jaeger, ecommerce-ci/mailpit   minimal stand-ins (see their sources)
#   ecommerce-ci/prometheus:2.42          the real Prometheus, Debian's package
#   ecommerce-ci/grafana:standin          serves the provisioned dashboard, proxies its queries
#   ecommerce/<project>:ci                the workspace's own images, from ./Dockerfile
#
# Base images are reused when present; the rest is rebuilt (layer cache makes that fast).
# Needs a running Docker engine (infra/docker/ci/docker-engine.sh) and the Kafka and Apicurio
# downloads of infra/local (`npm run infra:up` fetches them).
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=infra/docker/ci
cache="${ECOMMERCE_INFRA_CACHE:-$HOME/.cache/ecommerce-kafka}"
work=$(mktemp -d /tmp/ecommerce-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
log() { echo "[images $(date +%T)] $*"; }

debian=ecommerce-ci/debian:bookworm
node_image=ecommerce-ci/node:24
kafka_version=4.3.2
registry_version=3.3.3

build() { # build <tag> <context> [docker build args...]
  local tag=$1 context=$2
  shift 2
  local started=$SECONDS
  docker build --quiet --tag "$tag" "$@" "$context" > /dev/null
  log "$tag built in $((SECONDS - started)) s"
}

if ! docker image inspect "$debian" > /dev/null 2>&1; then
  log "debootstrap Debian bookworm (minbase)"
  command -v debootstrap > /dev/null || apt-get install -y -q debootstrap > /dev/null
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log"; exit 1; }
  # An egress proxy that re-signs TLS on this machine is trusted through these; without them no
  # container could reach npm. update-ca-certificates (run when ca-certificates is installed on
  # top) adds them to the image's store.
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  if compgen -G '/usr/local/share/ca-certificates/*.crt' > /dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$debian" > /dev/null
  log "$debian imported"
fi

log "Node.js stand-in"
. .ci/node-env.sh > /dev/null
mkdir -p "$work/node" "$cache/npm-dist"
cp "$here/node/Dockerfile" "$work/node/"
cp "$(command -v node)" "$work/node/node"
npm_version=11.19.1
if [ ! -f "$cache/npm-dist/npm-$npm_version.tgz" ]; then
  (cd "$cache/npm-dist" && npm pack "npm@$npm_version" --silent > /dev/null)
fi
mkdir "$work/node/npm"
tar -xzf "$cache/npm-dist/npm-$npm_version.tgz" -C "$work/node/npm" --strip-components=1
build "$node_image" "$work/node" --build-arg "DEBIAN_IMAGE=$debian"

kafka_libs="$cache/kafka-$kafka_version/libs"
registry_app="$cache/apicurio-registry-$registry_version/quarkus-app"
if [ ! -d "$kafka_libs" ] || [ ! -d "$registry_app" ]; then
  log "fetching Kafka $kafka_version and Apicurio through infra/local"
  export LOCAL_KAFKA_VERSION=$kafka_version
  npm run --silent infra:up > /dev/null && npm run --silent infra:down > /dev/null
fi

log "Kafka stand-in"
mkdir "$work/kafka"
cp "$here"/kafka/* "$work/kafka/"
cp -r "$kafka_libs" "$work/kafka/libs"
build "ecommerce-ci/kafka:$kafka_version" "$work/kafka" --build-arg "DEBIAN_IMAGE=$debian"

log "schema registry stand-in (Apicurio $registry_version)"
java_home=""
for candidate in "${REGISTRY_JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -x "$candidate/bin/java" ] || continue
  major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ "${major:-0}" -ge 21 ]; then java_home=$candidate; break; fi
done
[ -n "$java_home" ] || { echo "Apicurio $registry_version needs Java 21+ under /usr/lib/jvm or in REGISTRY_JAVA_HOME" >&2; exit 1; }
mkdir "$work/schema-registry"
cp "$here/schema-registry/Dockerfile" "$work/schema-registry/"
# The JDK as it is, without its sources (this machine's JDK has no jmods, so jlink cannot
# make a smaller runtime from it).
cp -r "$java_home" "$work/schema-registry/jdk"
rm -rf "$work/schema-registry/jdk/lib/src.zip" "$work/schema-registry/jdk/man" "$work/schema-registry/jdk/include"
cp -r "$registry_app" "$work/schema-registry/quarkus-app"
build "ecommerce-ci/schema-registry:$registry_version" "$work/schema-registry" --build-arg "DEBIAN_IMAGE=$debian"

log "PostgreSQL stand-in"
build ecommerce-ci/postgres:15 "$here/postgres" --build-arg "DEBIAN_IMAGE=$debian"
log "Jaeger and Mailpit stand-ins"
build ecommerce-ci/jaeger:standin "$here/jaeger" --build-arg "NODE_IMAGE=$node_image"
build ecommerce-ci/mailpit:standin "$here/mailpit" --build-arg "NODE_IMAGE=$node_image"
log "Prometheus (Debian's) and the Grafana stand-in"
build ecommerce-ci/prometheus:2.42 "$here/prometheus" --build-arg "DEBIAN_IMAGE=$debian"
build ecommerce-ci/grafana:standin "$here/grafana" --build-arg "NODE_IMAGE=$node_image"

log "workspace images (./Dockerfile)"
for project in demo-init order-service inventory-service payment-service notification-service analytics-service order-console; do
  build "ecommerce/$project:ci" . --build-arg "NODE_IMAGE=$node_image" --build-arg "PROJECT=$project"
done
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^ecommerce' | sort
