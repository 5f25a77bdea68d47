// Test support for services built on the event backbone (`@ecommerce/event-backbone/testing`).
export { createEventRecorder, type EventRecorder, type RecordedEvent } from './event-recorder';
