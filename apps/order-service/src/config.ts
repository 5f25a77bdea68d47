import { loadConfig, outboxRelaySettings, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'order-service';

/** Every setting order-service reads, with its default; `process.env` is read here and nowhere else. */
export const orderServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3001,
    databaseUrlVariable: 'ORDER_DATABASE_URL',
    defaultDatabase: 'ecommerce_order',
  }),
  ...outboxRelaySettings,
  SAGA_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 86_400_000,
    default: 30_000,
    description:
      'an order still PENDING this long after it was placed is cancelled (TIMEOUT), at most min(1000, this / 4) ms late (the sweeper sleeps until the oldest pending order can expire, at most this less DATABASE_TRANSACTION_TIMEOUT_MS); keep it above about 2 x (KAFKA_CONSUMER_SESSION_TIMEOUT_MS + heartbeat), so one crashed consumer instance on the path does not time orders out (README, Liveness)',
  }),
});

export type OrderServiceConfig = Static<typeof orderServiceConfigSchema>;

export function loadOrderServiceConfig(env: NodeJS.ProcessEnv = process.env): OrderServiceConfig {
  return loadConfig(orderServiceConfigSchema, env);
}
