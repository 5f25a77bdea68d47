// The fixture's `instrumentation.ts`: imported first, so telemetry starts before anything else loads.
import { startTelemetry } from '../start-telemetry';

const [otlpEndpoint] = process.argv.slice(2);
if (!otlpEndpoint) throw new Error('usage: traced-process.fixture.ts <otlp endpoint> <traceparent>');

export const telemetry = startTelemetry({
  serviceName: 'fixture-service',
  serviceVersion: '1.2.3',
  otlpEndpoint,
});
