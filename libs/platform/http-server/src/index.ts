export { callAdminApi, type AdminApiCall } from './admin-client';
export { conflict, DomainError, notFound, unprocessable, type DomainErrorOptions } from './domain-error';
export {
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
  type ServiceDependency,
} from './http-server';
export { FieldError, PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from './problem-details';
// The logger lives with the rest of telemetry (trace ids, log context); re-exported for the apps.
export { createLogger } from '@ecommerce/telemetry';
export { runService, type RunningService } from './run-service';
