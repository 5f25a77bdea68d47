import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import TimeoutMiddleware from 'mappersmith/middleware/timeout';

export interface SchemaRegistrySettings {
  /** Base URL of the Confluent-compatible API, e.g. Apicurio's `.../apis/ccompat/v7`. */
  url: string;
  /** HTTP basic auth, when the registry requires it. */
  auth?: { username: string; password: string };
  /** Deadline of each request; default {@link REGISTRY_REQUEST_TIMEOUT_MS}. Tests of a hung registry shorten it. */
  requestTimeoutMs?: number;
}

/**
 * The deadline of every schema registry request (services set theirs with SCHEMA_REGISTRY_TIMEOUT_MS,
 * whose default this is). Without one, a request that gets no answer hangs its caller for good: seen
 * in CI, twice, a registration whose requests never reached the registry's access log (services'
 * start-ups for minutes; a test's registration for its whole 180 s hook). With one it fails, the
 * codec counts it as an outage of the registry (`SchemaRegistryUnreachableError`), and it is tried
 * again: a consumer waits for the registry rather than spending the message's attempts.
 */
export const REGISTRY_REQUEST_TIMEOUT_MS = 15_000;

/** The registry client every process uses: the codec's own (`registryUrl`), services', tools'. */
export function createSchemaRegistry({
  url,
  auth,
  requestTimeoutMs = REGISTRY_REQUEST_TIMEOUT_MS,
}: SchemaRegistrySettings): SchemaRegistry {
  return new SchemaRegistry({
    host: url,
    ...(auth && { auth }),
    middlewares: [TimeoutMiddleware(requestTimeoutMs)],
  });
}
