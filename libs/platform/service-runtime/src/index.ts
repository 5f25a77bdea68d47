export { createHttpServer, type HttpServerOptions, type ServiceDependency } from './http-server';
// The logger lives with the rest of telemetry (trace ids, log context); re-exported for the apps.
export { createLogger } from '@ecommerce/telemetry';
export { runService, type RunningService } from './run-service';
