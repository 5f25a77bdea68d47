import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export interface SchemaRegistrySettings {
  /** Base URL of the Confluent-compatible API, e.g. Apicurio's `.../apis/ccompat/v7`. */
  url: string;
}

export function createSchemaRegistry({ url }: SchemaRegistrySettings): SchemaRegistry {
  return new SchemaRegistry({ host: url });
}

/** Resolves when the registry answers its subject listing; rejects with the status otherwise. */
export async function checkSchemaRegistry({ url }: SchemaRegistrySettings, timeoutMs = 5_000): Promise<void> {
  const response = await fetch(`${url.replace(/\/$/, '')}/subjects`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`schema registry answered ${response.status} ${response.statusText}`);
}
