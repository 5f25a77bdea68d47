import * as net from 'node:net';

/**
 * True when nothing listens on host:port. Tested by binding it (and closing at once) rather than
 * connecting, because a socket bound to 0.0.0.0 or [::] also blocks our loopback bind on Linux.
 */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close((closeError) => (closeError ? reject(closeError) : resolve(true)));
    });
  });
}
