#!/bin/sh
# The official image's script of the same name, as compose's health check calls it. Kafka 4 moved
# the command from the broker jar (kafka.admin) to kafka-tools (org.apache.kafka.tools).
if ls /opt/kafka/libs/kafka-tools-[0-9]*.jar > /dev/null 2>&1; then
  command=org.apache.kafka.tools.BrokerApiVersionsCommand
else
  command=kafka.admin.BrokerApiVersionsCommand
fi
exec java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '/opt/kafka/libs/*' "$command" "$@"
