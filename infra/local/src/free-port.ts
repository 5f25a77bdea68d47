import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * Ports this process has handed out. A port is asked for before its server binds it (a Kafka
 * listener is written into the broker's configuration, the broker starts seconds later), and the OS
 * readily hands a just-closed port to the next ask, so without this two asks can get one port.
 */
const handedOut = new Set<number>();

/** Asks after which the OS is taken to have no port left that this process has not handed out. */
const MAX_ASKS = 100;

/**
 * A loopback port that was free a moment ago (the OS picks it) and that this process has not
 * handed out before, for servers started on demand.
 */
export async function freePort(): Promise<number> {
  for (let ask = 0; ask < MAX_ASKS; ask += 1) {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port after ${MAX_ASKS} asks (${handedOut.size} handed out already)`);
}
