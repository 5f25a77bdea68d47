import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export interface SchemaRegistrySettings {
  /** Base URL of the Confluent-compatible API, e.g. Apicurio's `.../apis/ccompat/v7`. */
  url: string;
  /** HTTP basic auth, when the registry requires it. */
  auth?: { username: string; password: string };
}

export function createSchemaRegistry({ url, auth }: SchemaRegistrySettings): SchemaRegistry {
  return new SchemaRegistry({ host: url, ...(auth && { auth }) });
}

/** Resolves when the registry answers its subject listing; rejects with the status otherwise. */
export async function checkSchemaRegistry(
  { url, auth }: SchemaRegistrySettings,
  timeoutMs = 5_000,
): Promise<void> {
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  const response = await fetch(`${url.replace(/\/$/, '')}/subjects`, {
    headers,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`schema registry answered ${response.status} ${response.statusText}`);
}
