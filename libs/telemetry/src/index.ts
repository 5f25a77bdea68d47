export { SpanKind } from '@opentelemetry/api';
// Test support: an exporter that keeps finished spans in memory, for `startTelemetry({ spanExporter })`.
export { InMemorySpanExporter } from '@opentelemetry/sdk-trace';

export { carrierFromKafkaHeaders, kafkaHeadersFromContext, type KafkaHeaders } from './kafka-trace-headers';
export { currentLogContext, withLogContext, type LogContext } from './log-context';
export { createLogger } from './logger';
export { metrics } from './process-metrics';
export { createServiceMetrics, type ServiceMetrics } from './service-metrics';
export {
  samplerFor,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
  type TraceSampling,
} from './start-telemetry';
export {
  captureTraceContext,
  runInExtractedContext,
  type ExtractedSpanOptions,
  type TraceCarrier,
} from './trace-context';
export { startServiceTelemetry } from './start-service-telemetry';
