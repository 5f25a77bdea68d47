export { createHttpServer, type HttpServerOptions, type ServiceDependency } from './http-server';
export { createLogger } from './logger';
export { runService, type RunningService } from './run-service';
