// Loaded by every process that talks to Kafka through kafkajs: the services (through
// @ecommerce/messaging) and the tools (through @ecommerce/local-infra, whose broker probe is the
// first kafkajs client of a tool's process). Applying it is idempotent.
export { fixNegativeTimeoutInRequestQueue, kafkajsRequestQueue } from './kafkajs-request-queue-fix';
