import { ConfigError } from '@ecommerce/config';
import type { SASLOptions } from 'kafkajs';

import type { KafkaConnectionSettings } from './kafka-client';
import type { SchemaRegistrySettings } from './schema-registry';

/** The messaging part of a service's validated configuration (see `serviceSettings`). */
export interface MessagingSettings {
  KAFKA_BROKERS: string;
  KAFKA_SSL?: boolean;
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  SCHEMA_REGISTRY_URL: string;
  SCHEMA_REGISTRY_USERNAME?: string;
  SCHEMA_REGISTRY_PASSWORD?: string;
  /** Deadline of each registry request (default `REGISTRY_REQUEST_TIMEOUT_MS`). */
  SCHEMA_REGISTRY_TIMEOUT_MS?: number;
}

function parseBrokerList(list: string): string[] {
  return list
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/**
 * Kafka and registry connection options from the settings, with the checks a schema cannot express
 * on its own: SASL needs both credentials, registry auth needs both halves. A half-configured
 * secret stops the service at start, naming the missing variable.
 */
export function connectionSettings(
  clientId: string,
  settings: MessagingSettings,
): { kafka: KafkaConnectionSettings; schemaRegistry: SchemaRegistrySettings } {
  const problems: string[] = [];
  let sasl: SASLOptions | undefined;
  if (settings.KAFKA_SASL_MECHANISM) {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = settings;
    if (!username) problems.push('KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set');
    if (!password) problems.push('KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set');
    if (username && password)
      sasl = { mechanism: settings.KAFKA_SASL_MECHANISM, username, password } as SASLOptions;
  }
  const { SCHEMA_REGISTRY_USERNAME: registryUser, SCHEMA_REGISTRY_PASSWORD: registryPassword } = settings;
  if (Boolean(registryUser) !== Boolean(registryPassword)) {
    problems.push('SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD must be set together');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    kafka: {
      clientId,
      brokers: parseBrokerList(settings.KAFKA_BROKERS),
      ssl: settings.KAFKA_SSL ?? false,
      ...(sasl && { sasl }),
    },
    schemaRegistry: {
      url: settings.SCHEMA_REGISTRY_URL,
      ...(settings.SCHEMA_REGISTRY_TIMEOUT_MS !== undefined && {
        requestTimeoutMs: settings.SCHEMA_REGISTRY_TIMEOUT_MS,
      }),
      ...(registryUser &&
        registryPassword && { auth: { username: registryUser, password: registryPassword } }),
    },
  };
}
