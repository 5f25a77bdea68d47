import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { FaultProxy } from './fault-proxy';

/** An echo server that counts what reached it and which of its connections are still open. */
async function echoServer(): Promise<{
  server: Server;
  port: number;
  received: () => number;
  open: Set<Socket>;
}> {
  let received = 0;
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      socket.write(chunk);
    });
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received: () => received, open };
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `text` and resolves with the echo, or with undefined when nothing came back within `withinMs`. */
function roundTrip(socket: Socket, text: string, withinMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      resolve(undefined);
    }, withinMs);
    const onData = (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString());
    };
    socket.once('data', onData);
    socket.write(text);
  });
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: FaultProxy;
  const clients: Socket[] = [];
  const client = async () => {
    const socket = await connectTo(proxy.port);
    socket.on('error', () => undefined);
    clients.push(socket);
    return socket;
  };

  beforeEach(async () => {
    echo = await echoServer();
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
  });
  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.destroy();
    await proxy.stop();
    for (const socket of echo.open) socket.destroy();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('when passing, then bytes go both ways unchanged', async () => {
    expect(await roundTrip(await client(), 'hello')).toBe('hello');
    expect(proxy.openConnections).toBe(1);
  });

  it('when delaying, then each direction is late by the delay and the order is kept', async () => {
    await proxy.setMode({ kind: 'delay', ms: 150 });
    const socket = await client();
    const chunks: string[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sent = Date.now();
    for (const letter of ['a', 'b', 'c', 'd']) socket.write(letter);
    await until(() => chunks.join('').length === 4);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(300);
    expect(chunks.join('')).toBe('abcd');
  });

  it('when a delayed chunk is written late and the delay is lifted meanwhile, then the chunks after it still arrive after it', async () => {
    // A busy machine runs a timer late: the wall clock is past the chunk's time, its timer has not
    // run. Fake timers make that moment exact; the sockets are real.
    let arrivedAtProxy = 0;
    const arrivals: (() => void)[] = [];
    const tapped = await FaultProxy.start({
      target: { host: '127.0.0.1', port: echo.port },
      mode: { kind: 'delay', ms: 50 },
      tap: (direction) => {
        if (direction !== 'up') return;
        arrivedAtProxy += 1;
        arrivals.splice(0).forEach((arrived) => arrived());
      },
    });
    const socket = await connectTo(tapped.port);
    clients.push(socket);
    let echoed = '';
    const echoes: (() => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      echoed += chunk.toString();
      echoes.splice(0).forEach((came) => came());
    });
    const proxyHasSeen = (count: number) =>
      new Promise<void>((resolve) => (arrivedAtProxy >= count ? resolve() : arrivals.push(resolve)));
    const echoedLength = async (length: number) => {
      while (echoed.length < length) await new Promise<void>((resolve) => echoes.push(resolve));
    };
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      socket.write('A');
      await proxyHasSeen(1);
      jest.setSystemTime(Date.now() + 1_000);
      await tapped.setMode({ kind: 'pass' });
      socket.write('B');
      await proxyHasSeen(2);
      jest.advanceTimersByTime(1_000); // the late timer runs at last
      await echoedLength(2);
      expect(echoed).toBe('AB');
    } finally {
      jest.useRealTimers();
      await tapped.stop();
    }
  });

  it('when an open connection is blackholed, then nothing reaches either side and it stays open; passing again forwards new bytes', async () => {
    const socket = await client();
    expect(await roundTrip(socket, 'before')).toBe('before');
    await proxy.setMode({ kind: 'blackhole' });
    expect(await roundTrip(socket, 'lost', 500)).toBeUndefined();
    expect(echo.received()).toBe('before'.length);
    expect(socket.destroyed).toBe(false);
    await proxy.setMode({ kind: 'pass' });
    expect(await roundTrip(socket, 'after')).toBe('after');
  });

  it('when a client closes while blackholed, then the server is told only once the network heals', async () => {
    const socket = await client();
    expect(await roundTrip(socket, 'x')).toBe('x');
    await proxy.setMode({ kind: 'blackhole' });
    socket.end();
    await until(() => socket.closed);
    expect(echo.open.size).toBe(1);
    await proxy.setMode({ kind: 'pass' });
    await until(() => echo.open.size === 0);
  });

  it('when resetting, then a new connection is reset at once', async () => {
    await proxy.setMode({ kind: 'reset' });
    const socket = connect(proxy.port, '127.0.0.1');
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
    expect(error.code).toBe('ECONNRESET');
  });

  it('when refusing, then connections are refused, and accepted again on the same port after', async () => {
    const port = proxy.port;
    await proxy.setMode({ kind: 'refuse' });
    await expect(connectTo(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.setMode({ kind: 'pass' });
    expect(proxy.port).toBe(port);
    expect(await roundTrip(await client(), 'back')).toBe('back');
  });

  it('when refusing with a connection open, then the mode changes at once and the open connection still passes', async () => {
    const open = await client();
    expect(await roundTrip(open, 'before')).toBe('before');
    await proxy.setMode({ kind: 'refuse' });
    await expect(connectTo(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await roundTrip(open, 'during')).toBe('during');
    await proxy.setMode({ kind: 'pass' });
    expect(await roundTrip(await client(), 'after')).toBe('after');
  });

  it('when every connection is reset, then the clients see the reset and the server the close', async () => {
    const socket = await client();
    expect(await roundTrip(socket, 'x')).toBe('x');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    proxy.resetAll();
    await closed;
    await until(() => echo.open.size === 0);
  });
});
