import {
  capHeaderValue,
  DEAD_LETTER_HEADER_LIMITS,
  DEAD_LETTER_HEADERS,
  deadLetterHeaders,
} from './dead-letter';

const origin = {
  topic: 'ecommerce.orders',
  partition: 2,
  offset: '41',
  consumerGroup: 'ecommerce.inventory-service',
  attempts: 5,
  errorCode: 'Error',
  failedAt: new Date('2026-12-03T10:00:00.000Z'),
};

describe('dead-letter headers', () => {
  it('when the error is short, then every header carries it whole, with the origin', () => {
    const error = new Error('stock row locked');
    expect(deadLetterHeaders({ ...origin, error })).toEqual({
      'dlq-origin-topic': 'ecommerce.orders',
      'dlq-origin-partition': '2',
      'dlq-origin-offset': '41',
      'dlq-consumer-group': 'ecommerce.inventory-service',
      'dlq-attempts': '5',
      'dlq-error-code': 'Error',
      'dlq-error-message': 'stock row locked',
      'dlq-error-stack': error.stack,
      'dlq-failed-at': '2026-12-03T10:00:00.000Z',
    });
  });

  it('when the error message, stack and code are huge, then each header is cut to its limit and says how much was dropped', () => {
    const error = new Error(`duplicate key: ${'x'.repeat(1_000_000)}`);
    error.stack = `Error: boom\n${'    at frame (file.ts:1:1)\n'.repeat(50_000)}`;

    const headers = deadLetterHeaders({ ...origin, errorCode: 'E'.repeat(10_000), error });

    const message = headers[DEAD_LETTER_HEADERS.errorMessage] ?? '';
    const stack = headers[DEAD_LETTER_HEADERS.errorStack] ?? '';
    const code = headers[DEAD_LETTER_HEADERS.errorCode] ?? '';
    expect(message.length).toBeLessThanOrEqual(DEAD_LETTER_HEADER_LIMITS.errorMessage);
    expect(stack.length).toBeLessThanOrEqual(DEAD_LETTER_HEADER_LIMITS.errorStack);
    expect(code.length).toBeLessThanOrEqual(DEAD_LETTER_HEADER_LIMITS.errorCode);
    expect(message).toMatch(/^duplicate key: x+ \[\.\.\. \d+ more characters\]$/);
    expect(stack.startsWith('Error: boom\n    at frame (file.ts:1:1)\n')).toBe(true);
    const dropped = Number(/\[\.\.\. (\d+) more characters\]$/.exec(message)?.[1]);
    expect(message.indexOf(' [...') + dropped).toBe(error.message.length);
    const headerBytes = Object.values(headers).reduce((sum, value) => sum + Buffer.byteLength(value), 0);
    expect(headerBytes).toBeLessThan(7_000);
  });

  it.each([200, 201])('when a cut falls among emoji (limit %i), then no surrogate pair is split', (limit) => {
    const text = '😀'.repeat(1_000); // every character is a surrogate pair

    const capped = capHeaderValue(text, limit);

    expect(capped.length).toBeLessThanOrEqual(limit);
    expect(capped).toMatch(/^(😀)+ \[\.\.\. \d+ more characters\]$/u);
    expect(Buffer.from(capped, 'utf8').toString('utf8')).toBe(capped); // no lone surrogate to replace
  });

  it('when a value fits its limit exactly, then it is left as it is', () => {
    const text = 'a'.repeat(DEAD_LETTER_HEADER_LIMITS.errorMessage);
    expect(capHeaderValue(text, DEAD_LETTER_HEADER_LIMITS.errorMessage)).toBe(text);
  });
});
