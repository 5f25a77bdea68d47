import pino, { type Logger } from 'pino';

/** JSON logs on stdout, one object per line, with the service's name on every line. */
export function createLogger(serviceName: string, level: string): Logger {
  return pino({ level, base: { service: serviceName } });
}
