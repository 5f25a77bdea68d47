export type { OutboxMessage, PendingOutboxMessage } from './outbox-message';
export {
  OutboxRelay,
  RELAY_LEADER_LOCK,
  type OutboxPublisher,
  type OutboxRelayObserver,
  type OutboxRelayOptions,
  type RelayLogger,
} from './outbox-relay';
export { readBacklog as readOutboxBacklog, type OutboxBacklog } from './outbox-table';
export { EVENT_HEADERS, writeOutboxMessage } from './write-outbox-message';
export { relayMetricsObserver } from './relay-metrics';
export { outboxQuarantine, type OutboxQuarantine, type QuarantinedRow } from './quarantine/outbox-quarantine';
export {
  registerOutboxQuarantineAdminRoutes,
  type OutboxQuarantineAdminOptions,
} from './quarantine/outbox-quarantine-admin.routes';
