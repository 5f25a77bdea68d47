// Test support for services built on the event backbone (`@ecommerce/runtime/testing`).
export { createEventRecorder, type EventRecorder, type RecordedEvent } from './event-recorder';
export {
  startServiceTestHarness,
  type ServiceTestHarness,
  type ServiceTestHarnessOf,
} from './service-test-harness';
