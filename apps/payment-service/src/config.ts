import { loadConfig, outboxRelaySettings, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'payment-service';

/** Every setting payment-service reads, with its default; `process.env` is read here and nowhere else. */
export const paymentServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3003,
    databaseUrlVariable: 'PAYMENT_DATABASE_URL',
    defaultDatabase: 'ecommerce_payment',
  }),
  ...outboxRelaySettings,
  PAYMENT_GATEWAY_LATENCY_MS: Type.Integer({
    minimum: 0,
    maximum: 60_000,
    default: 0,
    description:
      'delay the simulated payment gateway adds to every authorization, in ms (the gateway is asked outside any database transaction)',
  }),
});

export type PaymentServiceConfig = Static<typeof paymentServiceConfigSchema>;

export function loadPaymentServiceConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  return loadConfig(paymentServiceConfigSchema, env);
}
