#!/bin/bash
# Writes server.properties from the environment as apache/kafka does (KAFKA_FOO_BAR -> foo.bar,
# __ -> _, ___ -> -), formats the KRaft storage on first start, then runs the broker as PID 1 so
# that `docker stop` (SIGTERM) shuts it down cleanly. Both logging configurations are passed: Kafka
# 3.9 logs through reload4j (log4j.configuration), 4.x through Log4j 2 (log4j2.configurationFile).
set -euo pipefail
config=/opt/kafka/config/server.properties
: > "$config"
declare -A defaults=(
  [node.id]=1
  [process.roles]=broker,controller
  [listeners]=PLAINTEXT://:9092,CONTROLLER://:9093
  [advertised.listeners]=PLAINTEXT://localhost:9092
  [controller.listener.names]=CONTROLLER
  [listener.security.protocol.map]=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
  [controller.quorum.voters]=1@localhost:9093
  [log.dirs]=/var/lib/kafka/data
  [offsets.topic.replication.factor]=1
  [transaction.state.log.replication.factor]=1
  [transaction.state.log.min.isr]=1
)
declare -A settings=()
for key in "${!defaults[@]}"; do settings[$key]=${defaults[$key]}; done
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=${name#KAFKA_}
  key=${key,,}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  settings[$key]=$value
done < <(env)
for key in "${!settings[@]}"; do printf '%s=%s\n' "$key" "${settings[$key]}" >> "$config"; done

log_dirs=${settings[log.dirs]}
if [ ! -f "${log_dirs%%,*}/meta.properties" ]; then
  java -Xmx256m -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format \
    --config "$config" --cluster-id "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" --ignore-formatted
fi
# shellcheck disable=SC2086 # the option strings are lists of JVM flags
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC} ${KAFKA_OPTS:-} \
  -Dlog4j.configuration=file:/opt/kafka/config/log4j.properties \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp '/opt/kafka/libs/*' kafka.Kafka "$config"
