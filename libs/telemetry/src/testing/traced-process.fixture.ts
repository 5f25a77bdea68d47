// A process wired as a service is: `instrumentation` first, then everything else (here an HTTP
// server), and telemetry shut down last. Run by start-telemetry.spec.ts outside jest, whose module
// loader neither lets the OTLP exporter load its HTTP agent nor goes through the require hooks the
// instrumentations patch modules with.
// Usage: tsx traced-process.fixture.ts <otlp endpoint> <traceparent of the incoming request>
import { telemetry } from './fixture-instrumentation';

import { createServer } from 'node:http';

async function main(): Promise<void> {
  const traceparent = process.argv[3] ?? '';
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await fetch(`http://127.0.0.1:${address.port}/orders`, { headers: { traceparent } });
  await new Promise((resolve) => server.close(resolve));
  await telemetry.shutdown();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
