export interface AdminApiCall {
  /** The service's base URL, e.g. `http://127.0.0.1:3003`. */
  url: string;
  /** The service's ADMIN_TOKEN; a call without one fails before anything is sent. */
  token: string | undefined;
  method: 'GET' | 'POST';
  path: `/admin/${string}`;
  /** Query parameters; undefined ones are left out. */
  query?: Record<string, string | undefined>;
  body?: unknown;
}

function describeRefusal(status: number, text: string): string {
  try {
    const problem = JSON.parse(text) as { code?: unknown; detail?: unknown };
    if (typeof problem.code === 'string' && typeof problem.detail === 'string')
      return `${status} ${problem.code}: ${problem.detail}`;
  } catch {
    // Not a problem document (a proxy's page, say): the status and the text say what there is.
  }
  return `${status}: ${text.slice(0, 200)}`;
}

/**
 * Calls a service's admin API the way the operations commands do, with the bearer token: the
 * answer's JSON, or an error carrying what the service said (status, problem code and detail).
 */
export async function callAdminApi({
  url,
  token,
  method,
  path,
  query = {},
  body,
}: AdminApiCall): Promise<unknown> {
  if (!token) throw new Error(`ADMIN_TOKEN is not set: export the admin token of the service at ${url}`);
  // Appended, not resolved: a base URL with a path (behind a gateway) keeps it.
  const target = new URL(`${url.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) target.searchParams.set(name, value);
  }
  const response = await fetch(target, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).catch((error: unknown) => {
    // fetch says only "fetch failed"; the reason (refused, unknown host) is its cause.
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`cannot reach ${target.origin}: ${reason}`);
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${target.pathname} refused: ${describeRefusal(response.status, text)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}
