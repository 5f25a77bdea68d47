import { loadConfig, serviceSettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

export const SERVICE_NAME = 'payment-service';

/** Every setting payment-service reads, with its default; `process.env` is read here and nowhere else. */
export const paymentServiceConfigSchema = Type.Object({
  ...serviceSettings({
    defaultPort: 3003,
    databaseUrlVariable: 'PAYMENT_DATABASE_URL',
    defaultDatabase: 'ecommerce_payment',
  }),
});

export type PaymentServiceConfig = Static<typeof paymentServiceConfigSchema>;

export function loadPaymentServiceConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  return loadConfig(paymentServiceConfigSchema, env);
}
