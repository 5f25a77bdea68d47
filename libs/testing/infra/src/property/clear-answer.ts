import fc from 'fast-check';

/** The parts of an HTTP response (Fastify's `inject`, or `fetch` adapted) the check reads. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * Throws unless `response` is what any request, however bad, must get (SPEC 1): a success, or a
 * refusal the client can act on, a 4xx `application/problem+json` whose `status` is the response's
 * and which names a stable `code`. Never a 5xx.
 */
export function assertClearAnswer(response: HttpAnswer): void {
  const { statusCode, headers, body } = response;
  if (statusCode >= 200 && statusCode < 300) return;
  const contentType = String(headers['content-type'] ?? '');
  let problem: { status?: unknown; code?: unknown } | undefined;
  try {
    problem = JSON.parse(body) as typeof problem;
  } catch {
    problem = undefined;
  }
  const clear =
    statusCode >= 400 &&
    statusCode < 500 &&
    contentType.startsWith('application/problem+json') &&
    problem?.status === statusCode &&
    typeof problem.code === 'string';
  if (!clear) {
    throw new Error(
      `expected a 2xx, or a 4xx application/problem+json with its status and a code; got ${statusCode} ` +
        `(${contentType || 'no content type'}): ${body.slice(0, 500)}`,
    );
  }
}

/**
 * Sends one request and checks the answer is clear ({@link assertClearAnswer}) and that the state
 * `snapshot` reads (a {@link databaseFingerprint}) is as before when the request was refused, or
 * whatever the answer when `readOnly`: bad input changes nothing, and a read never does.
 */
export async function assertAnsweredCleanly<Answer extends HttpAnswer>(
  send: () => Promise<Answer>,
  snapshot: () => Promise<unknown>,
  { readOnly = false }: { readOnly?: boolean } = {},
): Promise<Answer> {
  const before = await snapshot();
  const response = await send();
  assertClearAnswer(response);
  if (readOnly || response.statusCode >= 400) expect(await snapshot()).toEqual(before);
  return response;
}

/**
 * The property of a read-only endpoint: whatever URL `urls` makes, `get` answers it clearly
 * ({@link assertClearAnswer}) and the database (a {@link databaseFingerprint}) does not change.
 */
export function readsAnswerCleanly(
  get: (url: string) => Promise<HttpAnswer>,
  snapshot: () => Promise<unknown>,
  urls: fc.Arbitrary<string>,
): fc.IAsyncPropertyWithHooks<[string]> {
  return fc.asyncProperty(urls, async (url) => {
    await assertAnsweredCleanly(() => get(url), snapshot, { readOnly: true });
  });
}
