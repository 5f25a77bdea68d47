import type { SchemaRegistrySettings } from '@ecommerce/contracts';

// The registry client is the codec's (contracts), one factory for every process; re-exported here
// with the rest of the messaging library's connections.
export { createSchemaRegistry, type SchemaRegistrySettings } from '@ecommerce/contracts';

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
