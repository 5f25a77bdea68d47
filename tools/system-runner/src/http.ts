export interface CallResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * JSON over HTTP, as a client of the system calls it. With `timeoutMs`, a request that has not been
 * answered by then is aborted (rejects), as an impatient client would.
 */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
  { timeoutMs }: { timeoutMs?: number } = {},
): Promise<CallResult> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...(timeoutMs !== undefined && { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
