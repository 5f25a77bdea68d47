import { trace } from '@opentelemetry/api';
import type { DestinationStream } from 'pino';

import { withLogContext } from './log-context';
import { createLogger } from './logger';
import { startTelemetry, type Telemetry } from './start-telemetry';

let telemetry: Telemetry;
beforeAll(() => {
  telemetry = startTelemetry({ serviceName: 'logger-spec' });
});
afterAll(() => telemetry.shutdown());

/** A logger whose lines are parsed and kept, instead of written to stdout. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(JSON.parse(line)) };
  return { logger: createLogger('order-service', 'info', destination), lines };
}

describe('createLogger', () => {
  it("when a line is written inside a span, then it carries that span's traceId and spanId", () => {
    const { logger, lines } = capturingLogger();
    const span = trace.getTracer('spec').startActiveSpan('POST /orders', (active) => {
      logger.info('order placed');
      active.end();
      return active.spanContext();
    });

    expect(lines).toEqual([
      expect.objectContaining({
        service: 'order-service',
        traceId: span.traceId,
        spanId: span.spanId,
        msg: 'order placed',
      }),
    ]);
  });

  it('when a line is written inside log contexts, then it carries their fields, inner ones added to outer ones', async () => {
    const { logger, lines } = capturingLogger();
    await withLogContext({ correlationId: 'corr-1' }, () =>
      withLogContext({ orderId: 'order-1', eventType: 'OrderPlaced' }, async () => {
        await Promise.resolve();
        logger.info('handling');
      }),
    );

    expect(lines[0]).toMatchObject({ correlationId: 'corr-1', orderId: 'order-1', eventType: 'OrderPlaced' });
  });

  it('when a line is written outside any span or context, then it has the service and no correlation fields', () => {
    const { logger, lines } = capturingLogger();
    logger.info('started');

    expect(lines[0]).toMatchObject({ service: 'order-service', msg: 'started' });
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[0]).not.toHaveProperty('orderId');
  });
});
