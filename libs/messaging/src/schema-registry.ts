import { REGISTRY_REQUEST_TIMEOUT_MS } from '@ecommerce/contracts';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import TimeoutMiddleware from 'mappersmith/middleware/timeout';

export interface SchemaRegistrySettings {
  /** Base URL of the Confluent-compatible API, e.g. Apicurio's `.../apis/ccompat/v7`. */
  url: string;
  /** HTTP basic auth, when the registry requires it. */
  auth?: { username: string; password: string };
  /** Deadline of each request; default {@link REQUEST_TIMEOUT_MS}. Tests of a hung registry shorten it. */
  requestTimeoutMs?: number;
}

/**
 * Every request has a deadline (`REGISTRY_REQUEST_TIMEOUT_MS`, where the codec says why). The codec
 * counts a timed-out read as an outage of the registry (`SchemaRegistryUnreachableError`), so a
 * consumer waits for the registry rather than spending the message's attempts.
 */
export const REQUEST_TIMEOUT_MS = REGISTRY_REQUEST_TIMEOUT_MS;

export function createSchemaRegistry({
  url,
  auth,
  requestTimeoutMs = REQUEST_TIMEOUT_MS,
}: SchemaRegistrySettings): SchemaRegistry {
  return new SchemaRegistry({
    host: url,
    ...(auth && { auth }),
    middlewares: [TimeoutMiddleware(requestTimeoutMs)],
  });
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
