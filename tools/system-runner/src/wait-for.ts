/**
 * Polls `probe` until it returns a value other than undefined, null or false, or fails at the
 * deadline with `description` and the last value seen. The way tests wait: on a condition, never on
 * a sleep. null is "not yet" too: a probe like `(await rowOf(id))?.column` is null while the row
 * exists and the column is not set, which must not end the wait (it did once, and a test asserted
 * on a result nobody had recorded yet).
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last !== undefined && last !== null && last !== false) return last as T;
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description} (last: ${JSON.stringify(last)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
