/**
 * The Kafka id of a consumer group: its name within the system (`order-service`,
 * `payment-service.inventory`) behind the system's topic prefix, as the topics are. Two systems on
 * one broker (two test runs, a benchmark next to the demo) then never share a group: a shared group
 * would hand one system's partitions to the other's members, which are not subscribed to them, and
 * those partitions would stall until the next rebalance.
 */
export function consumerGroupId(topicPrefix: string, group: string): string {
  return `${topicPrefix}${group}`;
}
