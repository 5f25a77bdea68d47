import fc from 'fast-check';

/**
 * Input a hostile or careless client sends, for property tests of HTTP APIs. Each generator starts
 * from a valid request and breaks it, so most cases get past the first check and probe the next.
 */

/** The request body limit of every service (`createHttpServer`). */
const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Characters that break careless handling: NUL (PostgreSQL text refuses it) and other controls,
 * lone surrogates (no UTF-8 for them), bidirectional overrides, zero-width and combining marks,
 * emoji (astral, and joined), a byte-order mark, and what means something in JSON, URLs and SQL.
 */
const awkwardCharacters = [
  '\u0000', '\u0001', '\u0008', '\u001b', '\u007f', '\u0085', '\t', '\n', '\r',
  '\ud800', '\udbff', '\udc00', '\udfff',
  '\u202e', '\u202d', '\u200f', '\u2066', '\u200b', '\u200d', '\u0301', '\ufeff', '\uffff',
  '😀', '👩‍👩‍👧', '🏳️‍🌈', 'ﷺ', 'ا', 'א', '中', 'é',
  '"', "'", '\\', '/', '%', '?', '#', '&', '=', '+', ';', '<', '>', '{', '}', '[', ']', ' ', '.', '-', '_',
]; // prettier-ignore

/** Strings worth sending where text is expected. */
const awkwardString: fc.Arbitrary<string> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...awkwardCharacters), maxLength: 40 }) },
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '-1',
    '1e309',
    'NaN',
    '__proto__',
    'constructor',
    "' OR 1=1 --",
  ),
  // Around the 64, 100 and 200 character limits of the schemas, and far beyond them.
  fc
    .integer({ min: 60, max: 5_000 })
    .chain((length) => fc.constantFrom('x', 'é', '😀', '\u0000').map((unit) => unit.repeat(length))),
);

/** Numbers at and past every boundary that matters: sign, zero, fractions, int32, 2^53, double range. */
const awkwardNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0, -0, 1, -1, 0.5, -0.5, 1.5, 1e-7, 999, 1000, 1001,
    2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32,
    Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, Number.MIN_SAFE_INTEGER - 1,
    2 ** 63, 1e21, 1e308, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE,
  ), // prettier-ignore
  fc.integer(),
  fc.maxSafeInteger(),
  // JSON has no NaN or Infinity: JSON.stringify would send null, which other cases cover.
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Number literals whose meaning a JSON parser decides: overflow to Infinity, precision loss, or not JSON at all. */
const numberLiterals = fc.constantFrom(
  '1e400', '-1e400', '1.0', '1e2', '-0', '0.0000001', '123456789012345678901234567890', '9007199254740993',
  '00', '01', '+1', '.5', '1.', 'NaN', 'Infinity', '0x10', '1_000',
); // prettier-ignore

/** Any JSON value, biased to awkward strings and numbers and to keys that mean something to JavaScript. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    awkwardString,
    awkwardNumber,
    fc.constantFrom(null, true, false),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(awkwardString, fc.constantFrom('__proto__', 'constructor')), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

type Path = readonly (string | number)[];

/** Every place in `value` a field or an array element can be changed, the root excluded. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf(child, path)];
  });
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], root);
}

/** A copy of `root` with the value at `path` replaced (`replace` gets the container and the key). */
function changedAt(root: object, path: Path, replace: (container: Record<string | number, unknown>, key: string | number) => void): object {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let container = copy;
  for (const key of path.slice(0, -1)) container = container[key] as Record<string | number, unknown>;
  replace(container, path.at(-1) as string | number);
  return copy;
} // prettier-ignore

const setAt = (root: object, path: Path, value: unknown) =>
  changedAt(root, path, (container, key) => {
    // defineProperty, so a `__proto__` key is a field of the body, as a client would send it.
    Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
  });

/** `text` with awkward characters slipped in: still within most length limits, so it reaches deeper. */
function spiked(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: text.length }), fc.string({ unit: fc.constantFrom(...awkwardCharacters), minLength: 1, maxLength: 3 }))
    .map(([at, inserted]) => `${text.slice(0, at)}${inserted}${text.slice(at)}`);
} // prettier-ignore

/** A value of the same JSON type as `value` that a schema of that type may still refuse. */
function sameKindAs(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === 'string') return fc.oneof(spiked(value), awkwardString);
  if (typeof value === 'number') return awkwardNumber;
  return hostileJson;
}

/**
 * `valid` with one field changed: most often to an awkward value of the same type (past the type
 * check, into the limits and the database), else to any JSON value, removed, or joined by a field
 * the schema does not know.
 */
function mutatedJson(valid: object): fc.Arbitrary<object> {
  const paths = pathsOf(valid);
  const containers = paths.filter((path) => typeof valueAt(valid, path) === 'object');
  const extended = fc
    .tuple(fc.constantFrom<Path>([], ...containers), awkwardString, hostileJson)
    .map(([path, key, value]) => setAt(valid, [...path, key], value));
  if (paths.length === 0) return extended;
  const sameKind = fc
    .constantFrom(...paths)
    .chain((path) => sameKindAs(valueAt(valid, path)).map((value) => setAt(valid, path, value)));
  const replaced = fc
    .tuple(fc.constantFrom(...paths), hostileJson)
    .map(([path, value]) => setAt(valid, path, value));
  const removed = fc.constantFrom(...paths).map((path) =>
    changedAt(valid, path, (container, key) => {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
    }),
  );
  return fc.oneof({ weight: 4, arbitrary: sameKind }, replaced, removed, extended);
}

/** A request body as sent: the bytes and their declared content type. */
export interface RawBody {
  payload: string;
  contentType: string;
}

const json = (payload: string): RawBody => ({ payload, contentType: 'application/json' });

/**
 * Request bodies derived from `valid`: broken fields, another JSON value altogether, duplicate keys
 * (the last one wins in JSON.parse), number literals no schema anticipates, malformed JSON text,
 * other content types, and bodies over the 256 KiB limit.
 */
export function hostileBody(valid: object): fc.Arbitrary<RawBody> {
  const text = JSON.stringify(valid);
  const keys = Object.keys(valid);
  const paths = pathsOf(valid);
  const literalSentinel = '"@@number-literal@@"';
  const variants: fc.MaybeWeightedArbitrary<RawBody>[] = [
    { weight: 4, arbitrary: mutatedJson(valid).map((body) => json(JSON.stringify(body))) },
    hostileJson.map((body) => json(JSON.stringify(body) ?? '')),
    fc
      .tuple(
        fc.nat({ max: text.length }),
        fc.oneof(awkwardString, fc.constantFrom('', '{', '}', ',', '"', ':')),
      )
      .map(([cut, inserted]) => json(`${text.slice(0, cut)}${inserted}`)),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/problem+json',
        'application/jsonx',
        'json',
        '*/*',
        '',
      ) // prettier-ignore
      .map((contentType) => ({ payload: text, contentType })),
    fc
      .constantFrom(' ', '😀', '\u0000')
      .map((unit) => json(`{"padding":"${unit.repeat(BODY_LIMIT_BYTES)}",${text.slice(1)}`)),
  ];
  if (keys.length > 0) {
    variants.push(
      fc
        .tuple(fc.constantFrom(...keys), hostileJson)
        .map(([key, value]) => json(`${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value)}}`)),
      fc
        .tuple(fc.constantFrom(...paths), numberLiterals)
        .map(([path, literal]) =>
          json(
            JSON.stringify(setAt(valid, path, JSON.parse(literalSentinel))).replace(literalSentinel, literal),
          ),
        ),
    );
  }
  return fc.oneof(...variants);
}

/**
 * Percent-encodes any JavaScript string, lone surrogates included (as the bytes WTF-8 gives them,
 * which are not UTF-8): what a broken client puts in a URL.
 */
function percentEncoded(text: string): string {
  let encoded = '';
  for (const unit of text) {
    try {
      encoded += encodeURIComponent(unit);
    } catch {
      const code = unit.charCodeAt(0);
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      encoded += bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    }
  }
  return encoded;
}

/** Raw URL text no encoder would produce: bad escapes, an encoded NUL, overlong UTF-8, separators. */
const rawUrlText = fc.constantFrom(
  '%', '%2', '%zz', '%00', '%C0%80', '%ED%A0%80', '%FF', '%2F', '%2e%2e', '..', '.', ';', '&', '=', '#', '+', '%20',
); // prettier-ignore

const urlText = fc.oneof(
  { weight: 3, arbitrary: awkwardString.map(percentEncoded) },
  rawUrlText,
  fc.array(rawUrlText, { minLength: 2, maxLength: 5 }).map((parts) => parts.join('')),
);

/** A path segment: awkward text, percent-encoded (or not quite), from empty to far too long. */
export const hostileSegment: fc.Arbitrary<string> = urlText;

/**
 * A query string (without `?`) derived from `valid`: a parameter with another value, dropped,
 * repeated, unknown, or the whole string mangled.
 */
export function hostileQuery(valid: Record<string, string>): fc.Arbitrary<string> {
  const names = Object.keys(valid);
  const entries = (changed: Record<string, string>) =>
    Object.entries(changed)
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
  const encodedValid = Object.fromEntries(names.map((name) => [name, percentEncoded(valid[name] ?? '')]));
  const variants: fc.Arbitrary<string>[] = [
    fc
      .tuple(fc.oneof(awkwardString.map(percentEncoded), rawUrlText), urlText)
      .map(([name, value]) => `${entries(encodedValid)}&${name}=${value}`),
    urlText,
  ];
  if (names.length > 0) {
    variants.push(
      fc
        .constantFrom(...names)
        .chain((name) =>
          fc
            .oneof(urlText, spiked(valid[name] ?? '').map(percentEncoded))
            .map((value) => entries({ ...encodedValid, [name]: value })),
        ),
      fc.constantFrom(...names).map((name) => entries({ ...encodedValid, [name]: '' })),
      fc.constantFrom(...names).map((name) => `${entries(encodedValid)}&${name}=${encodedValid[name]}`),
      fc.constantFrom(...names).map((name) => `${entries(encodedValid)}&${name}[]=1&${name}[x]=2`),
    );
  }
  return fc.oneof(...variants);
}

/**
 * Header values a client can actually send: visible ASCII and Latin-1 (Node reads header bytes as
 * Latin-1), from empty to far too long. Control characters never reach a handler: the HTTP parser
 * refuses them.
 */
export const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...'aZ0 -_.~!"#%&\'()*+,/:;<=>?@[\\]^`{|}\u00a0\u00e9\u00ff'),
    maxLength: 40,
  }),
  fc.integer({ min: 190, max: 10_000 }).map((length) => 'k'.repeat(length)),
);
