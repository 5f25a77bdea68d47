import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FaultProxy } from '@ecommerce/fault-proxy';

import { isProcessAlive } from './detached-process';
import { freePort } from './free-port';
import { readClusterMetadata } from './kafka-metadata';
import { localInfraDown, localInfraStatus, localInfraUp, localKafkaStop } from './local-infra';
import type { LocalInfraOptions } from './local-infra-config';
import { createKafkaTopic } from './testing/create-kafka-topic';

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.destroy() && resolve(true));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A private instance (own ports, own state folder) so it never touches the infrastructure the rest
 * of the test run uses. Downloads come from the shared cache, so this measures start, not download.
 */
describe('local infrastructure lifecycle', () => {
  let options: LocalInfraOptions;
  let stateDir: string;
  /** In front of a listener of the broker's own, as the chaos suite puts one in front of each instance. */
  let proxy: FaultProxy;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'local-infra-test-'));
    const listenerPort = await freePort();
    // Its own port from freePort too: one the OS picked would be free to be the listener's port.
    proxy = await FaultProxy.start({
      target: { host: '127.0.0.1', port: listenerPort },
      listen: { port: await freePort() },
    });
    options = {
      stateDir,
      kafkaPort: await freePort(),
      kafkaControllerPort: await freePort(),
      schemaRegistryPort: await freePort(),
      kafkaProxiedListeners: [{ name: 'PROXIED', port: listenerPort, advertisedPort: proxy.port }],
      databases: [],
      log: () => undefined,
    };
  });

  afterAll(async () => {
    await localInfraDown(options);
    await proxy.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('when brought up twice and then down, then the second up is a no-op and down leaves no process or port', async () => {
    const first = await localInfraUp(options);
    expect(first.startedNow).toBe(true);
    expect(first.kafkaBrokers).toBe(`127.0.0.1:${options.kafkaPort}`);

    const second = await localInfraUp(options);
    expect(second.startedNow).toBe(false);
    expect(second).toMatchObject({
      kafkaBrokers: first.kafkaBrokers,
      schemaRegistryUrl: first.schemaRegistryUrl,
    });

    const status = await localInfraStatus(options);
    expect([status.kafkaNodes[0]?.running, status.schemaRegistry.running]).toEqual([true, true]);
    const pids = [status.kafkaNodes[0]?.pid, status.schemaRegistry.pid] as number[];
    const ports = [options.kafkaPort, options.kafkaControllerPort, options.schemaRegistryPort] as number[];
    expect(await Promise.all(ports.map(portAnswers))).toEqual([true, true, true]);

    const stopped = await localInfraDown(options);
    expect(stopped.map((component) => component.pid).sort()).toEqual([...pids].sort());
    expect(await Promise.all(ports.map(portAnswers))).toEqual([false, false, false]);
    // A stopped JVM can linger as a zombie until this process reaps it; that is not a running process.
    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(await localInfraDown(options)).toEqual([]);
  }, 240_000);

  it('when only the broker is stopped and up runs again, then the registry kept running and the topics survived', async () => {
    const { kafkaBrokers } = await localInfraUp(options);
    await createKafkaTopic(kafkaBrokers, 'survives-restart', 1);
    const registryPid = (await localInfraStatus(options)).schemaRegistry.pid;

    const stopped = await localKafkaStop(options);
    expect(stopped.map((component) => component.name)).toEqual(['kafka']);
    const status = await localInfraStatus(options);
    expect([status.kafkaNodes[0]?.running, status.schemaRegistry.pid]).toEqual([false, registryPid]);
    expect(await portAnswers(options.kafkaPort as number)).toBe(false);

    expect((await localInfraUp(options)).startedNow).toBe(true);
    expect((await localInfraStatus(options)).schemaRegistry.pid).toBe(registryPid);
    const { topics } = await readClusterMetadata(kafkaBrokers, undefined, 30_000);
    expect(topics.map((topic) => topic.name)).toContain('survives-restart');
  }, 240_000);

  it('when a proxied listener is configured, then a client that bootstraps through its proxy is told to stay behind it', async () => {
    const { kafkaBrokers } = await localInfraUp(options);
    const brokersSeenThrough = async (bootstrap: string) =>
      (await readClusterMetadata(bootstrap, [], 3_000)).brokers.map(({ host, port }) => `${host}:${port}`);
    expect(await brokersSeenThrough(proxy.address)).toEqual([proxy.address]);
    expect(await brokersSeenThrough(kafkaBrokers)).toEqual([kafkaBrokers]);

    // All of such a client's traffic is the proxy's to break.
    await proxy.setMode({ kind: 'refuse' });
    try {
      await expect(brokersSeenThrough(proxy.address)).rejects.toThrow();
      expect(await brokersSeenThrough(kafkaBrokers)).toEqual([kafkaBrokers]);
    } finally {
      await proxy.setMode({ kind: 'pass' });
    }
  }, 240_000);
});
