import { startTelemetry, type Telemetry, type TraceSampling } from './start-telemetry';

/**
 * Telemetry for a service process, started from the app's `instrumentation.ts` before anything
 * loads `http` or `pg` (OpenTelemetry can only patch modules loaded after it). If the settings are
 * invalid, telemetry is not started: `main.ts` loads them again and stops the service with the
 * message that names the bad variable.
 */
export function startServiceTelemetry(
  serviceName: string,
  loadSettings: () => {
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
    OTEL_TRACES_SAMPLER: TraceSampling['sampler'];
    OTEL_TRACES_SAMPLER_ARG: number;
    OTEL_TRACE_SQL: boolean;
  },
): Telemetry | undefined {
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings();
  } catch {
    return undefined;
  }
  return startTelemetry({
    serviceName,
    otlpEndpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT,
    sampling: { sampler: settings.OTEL_TRACES_SAMPLER, ratio: settings.OTEL_TRACES_SAMPLER_ARG },
    traceSqlStatements: settings.OTEL_TRACE_SQL,
  });
}
