import { databaseUrlSetting, httpSettings, kafkaSettings, loadConfig, schemaRegistrySettings } from '@ecommerce/config';
import { Type, type Static } from '@sinclair/typebox';

/** Every setting payment-service reads, with its default; `process.env` is read here and nowhere else. */
export const paymentServiceConfigSchema = Type.Object({
  ...httpSettings(3003),
  ...kafkaSettings,
  ...schemaRegistrySettings,
  ...databaseUrlSetting('PAYMENT_DATABASE_URL', 'ecommerce_payment'),
});

export type PaymentServiceConfig = Static<typeof paymentServiceConfigSchema>;

export function loadPaymentServiceConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  return loadConfig(paymentServiceConfigSchema, env);
}
