import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * What the proxy does to the traffic between a client and its dependency:
 * - `pass`: forwards every byte both ways;
 * - `delay`: forwards every chunk `ms` later, in order (added latency, each direction);
 * - `blackhole`: keeps every connection open and accepts new ones, but forwards nothing, so the
 *   client sees a peer that never answers (a half-open connection, a hung server, a partition that
 *   drops packets) and only its own timeouts can tell;
 * - `reset`: accepts new connections and resets them at once (ECONNRESET on the client);
 * - `refuse`: stops listening, so new connections are refused (ECONNREFUSED), as if the dependency's
 *   host were up and its process down. Existing connections are left as they are; `resetAll()` ends them.
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'blackhole' }
  | { kind: 'reset' }
  | { kind: 'refuse' };

export interface FaultProxyOptions {
  /** The dependency behind the proxy. */
  target: { host: string; port: number };
  /** Where the proxy listens; defaults to 127.0.0.1 and a free port. */
  listen?: { host?: string; port?: number };
  mode?: FaultMode;
  /**
   * Sees every chunk the proxy passes on (`up`: client to dependency), for a test that counts what
   * a client sends (the statements of a PostgreSQL session, say).
   */
  tap?: (direction: 'up' | 'down', chunk: Buffer) => void;
}

interface Connection {
  client: Socket;
  upstream: Socket;
  /** One side closed while blackholed: the other side is not told until the network "heals". */
  halfClosed: boolean;
  /** Each direction's chunks waiting for their time, oldest first, and the one timer that writes them. */
  held: { up: HeldChunks; down: HeldChunks };
}

interface HeldChunks {
  chunks: { chunk: Buffer; at: number }[];
  timer: NodeJS.Timeout | undefined;
}

/**
 * A TCP proxy that injects faults between a process and one dependency (PostgreSQL, a Kafka
 * broker, the schema registry, an SMTP server). Written here because no fault-injection proxy can
 * be installed on the build machines (toxiproxy is on no registry they reach) and the few faults the
 * tests need fit in one small file: the mode applies to new and to open connections alike, so a
 * test can cut a connection that is already in use, which is the fault that matters (a relay's
 * leader connection that goes silent, a registry that stops answering mid-request).
 */
export class FaultProxy {
  private readonly connections = new Set<Connection>();
  private server: Server | undefined;
  private currentMode: FaultMode;
  private listenPort: number;
  private readonly listenHost: string;
  private acceptedCount = 0;

  private constructor(private readonly options: FaultProxyOptions) {
    this.currentMode = options.mode ?? { kind: 'pass' };
    this.listenHost = options.listen?.host ?? '127.0.0.1';
    this.listenPort = options.listen?.port ?? 0;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    if (proxy.currentMode.kind !== 'refuse') await proxy.listen();
    else if (proxy.listenPort === 0)
      throw new Error('a proxy that starts refusing needs a fixed listen port');
    return proxy;
  }

  /** The port clients connect to. */
  get port(): number {
    return this.listenPort;
  }

  /** `host:port` of the proxy, for a broker list or a URL. */
  get address(): string {
    return `${this.listenHost}:${this.listenPort}`;
  }

  get mode(): FaultMode {
    return this.currentMode;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Connections accepted since the start. */
  get acceptedConnections(): number {
    return this.acceptedCount;
  }

  /**
   * Changes what the proxy does, for open connections and new ones. Leaving `blackhole` does not
   * deliver what was dropped: like a lost packet, it is gone, and the peers' protocols must cope.
   */
  async setMode(mode: FaultMode): Promise<void> {
    const previous = this.currentMode;
    this.currentMode = mode;
    if (mode.kind !== 'blackhole') {
      for (const connection of this.connections) if (connection.halfClosed) this.drop(connection, true);
    }
    if (mode.kind === 'refuse' && previous.kind !== 'refuse')
      await this.closeListener({ untilConnectionsEnd: false });
    if (mode.kind !== 'refuse' && !this.server) await this.listen();
  }

  /** Resets every open connection (ECONNRESET on both sides), whatever the mode. */
  resetAll(): void {
    for (const connection of this.connections) this.drop(connection);
  }

  async stop(): Promise<void> {
    this.resetAll();
    await this.closeListener({ untilConnectionsEnd: true });
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, this.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.listenPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /**
   * Stops accepting connections. `untilConnectionsEnd`: resolves once every connection the server
   * accepted has closed too (at `stop`, after `resetAll`); otherwise at once, since `refuse` leaves
   * open connections as they are and `close`'s callback would wait for them.
   */
  private async closeListener({ untilConnectionsEnd }: { untilConnectionsEnd: boolean }): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (untilConnectionsEnd) await closed;
  }

  private accept(client: Socket): void {
    this.acceptedCount += 1;
    client.setNoDelay(true);
    if (this.currentMode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    upstream.setNoDelay(true);
    const connection: Connection = {
      client,
      upstream,
      halfClosed: false,
      held: { up: { chunks: [], timer: undefined }, down: { chunks: [], timer: undefined } },
    };
    this.connections.add(connection);
    client.on('data', (chunk: Buffer) => this.forward(connection, 'up', chunk));
    upstream.on('data', (chunk: Buffer) => this.forward(connection, 'down', chunk));
    // One side's end or error ends the other, as a direct connection would; not while blackholed,
    // where the other side, like the far end of a partition, learns nothing until the network heals.
    const close = () => {
      if (this.currentMode.kind === 'blackhole') connection.halfClosed = true;
      else this.drop(connection, true);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
    upstream.connect(this.options.target.port, this.options.target.host);
  }

  /**
   * A TCP stream never reorders, so neither may the proxy: a chunk is written only after every chunk
   * that came before it in its direction. Delayed chunks wait in one queue per direction, written by
   * one timer in arrival order; a chunk that arrives while some still wait (the delay was lifted,
   * or it arrived with a shorter one) waits behind them. One timer per chunk, checked against the
   * clock, did not keep that order: a timer fires late on a busy machine, and a chunk passed on at
   * once meanwhile overtook it (a PostgreSQL session then read a pipelined statement's answer as
   * another's).
   */
  private forward(connection: Connection, direction: 'up' | 'down', chunk: Buffer): void {
    const mode = this.currentMode;
    if (mode.kind === 'blackhole') return;
    this.options.tap?.(direction, chunk);
    const held = connection.held[direction];
    const delayMs = mode.kind === 'delay' ? mode.ms : 0;
    if (held.chunks.length === 0 && delayMs <= 0) {
      this.writeTo(connection, direction, chunk);
      return;
    }
    held.chunks.push({ chunk, at: Date.now() + delayMs });
    if (held.chunks.length === 1) this.writeHeldWhenDue(connection, direction);
  }

  /** Writes the held chunks that are due, in order, and waits for the next one's time. */
  private writeHeldWhenDue(connection: Connection, direction: 'up' | 'down'): void {
    const held = connection.held[direction];
    held.timer = undefined;
    if (this.currentMode.kind === 'blackhole') {
      held.chunks = []; // lost in the partition, like every chunk that arrives during it
      return;
    }
    let next = held.chunks[0];
    while (next !== undefined && next.at <= Date.now()) {
      this.writeTo(connection, direction, next.chunk);
      held.chunks.shift();
      next = held.chunks[0];
    }
    if (next)
      held.timer = setTimeout(() => this.writeHeldWhenDue(connection, direction), next.at - Date.now());
  }

  private writeTo(connection: Connection, direction: 'up' | 'down', chunk: Buffer): void {
    const to = direction === 'up' ? connection.upstream : connection.client;
    if (!to.destroyed) to.write(chunk);
  }

  private drop(connection: Connection, gracefully = false): void {
    if (!this.connections.delete(connection)) return;
    for (const held of Object.values(connection.held)) clearTimeout(held.timer);
    for (const socket of [connection.client, connection.upstream]) {
      if (socket.destroyed) continue;
      if (gracefully) socket.end(() => socket.destroy());
      else if (socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

/**
 * A proxy in front of the PostgreSQL server `databaseUrl` names (port 5432 when it names none), and
 * the same URL through it: what a test hands the client whose connections it wants to fault.
 */
export async function proxyDatabase(
  databaseUrl: string,
  options: Omit<FaultProxyOptions, 'target'> = {},
): Promise<{ proxy: FaultProxy; url: string }> {
  const url = new URL(databaseUrl);
  const proxy = await FaultProxy.start({
    ...options,
    target: { host: url.hostname, port: Number(url.port || 5432) },
  });
  url.host = proxy.address;
  return { proxy, url: url.toString() };
}
