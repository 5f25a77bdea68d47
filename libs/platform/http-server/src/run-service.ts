import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

export interface RunningService {
  address: string;
}

/**
 * Owns the process: listens, and on SIGTERM/SIGINT (or an uncaught error) closes the server, which
 * runs every `onClose` hook before the process exits. For an app that is not a declared service (the
 * order console); the five services are run by `serveService` of @ecommerce/runtime, which stops
 * their parts in a fixed order.
 */
export async function runService(
  app: FastifyInstance,
  listen: { port: number; host: string },
): Promise<RunningService> {
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  const address = await app.listen(listen);
  return { address };
}
