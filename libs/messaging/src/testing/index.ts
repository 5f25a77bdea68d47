// Test support for code built on the messaging library (`@ecommerce/messaging/testing`): never
// imported by production code, which the module-boundary rule enforces through the test harness.
export { createTestMessaging, type TestEvent, type TestMessaging } from './test-messaging';
