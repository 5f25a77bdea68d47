import {
  httpSettings,
  kafkaSettings,
  loadConfig,
  schemaRegistrySettings,
  topicSettings,
} from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'order-console';

/** Every setting the order console reads, with its default; `process.env` is read here and nowhere else. */
export const orderConsoleConfigSchema = Type.Object({
  ...httpSettings(3006),
  ...kafkaSettings,
  ...schemaRegistrySettings,
  ...topicSettings,
  CONSOLE_ORDER_SERVICE_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:3001',
    description:
      "order-service's public REST API, called only when a user places or cancels a demo order in the console",
  }),
  CONSOLE_JAEGER_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        "Jaeger's UI (e.g. http://localhost:16686): trace ids link to their trace; unset: no links",
    }),
  ),
  CONSOLE_MAX_ORDERS: Type.Integer({
    minimum: 10,
    maximum: 100_000,
    default: 1_000,
    description: 'orders the console keeps in memory, the most recently placed; older ones are forgotten',
  }),
  CONSOLE_CLUSTER_POLL_MS: Type.Integer({
    minimum: 500,
    maximum: 60_000,
    default: 2_000,
    description: "how often the console reads consumer groups' offsets and dead-letter topics from Kafka",
  }),
});

export type OrderConsoleConfig = Static<typeof orderConsoleConfigSchema>;

export function loadOrderConsoleConfig(env: NodeJS.ProcessEnv = process.env): OrderConsoleConfig {
  return loadConfig(orderConsoleConfigSchema, env);
}
