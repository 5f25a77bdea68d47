export type { OutboxMessage, PendingOutboxMessage } from './outbox-message';
export {
  OutboxRelay,
  type OutboxPublisher,
  type OutboxRelayObserver,
  type OutboxRelayOptions,
  type RelayLogger,
} from './outbox-relay';
export { EVENT_HEADERS, writeOutboxMessage } from './write-outbox-message';
export { relayMetricsObserver } from './relay-metrics';
