/**
 * `npm run chaos [-- --quick]`: the five services, two instances each, under a steady load of
 * orders, while faults are injected one after the other: kill -9 of service instances, a Kafka
 * broker restart, a PostgreSQL crash, duplicate deliveries and a poison message. Once the system is
 * quiet, the invariants of SPEC section 5 are checked. Prints the faults and the verdicts; exits 0
 * only if every invariant held. Runs on infrastructure of its own, which it stops at the end, on
 * failure and on Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  call,
  readSnapshot,
  startServices,
  waitFor,
  checkInvariants,
  type RunningServices,
  type ServiceName,
  type ServiceProcess,
} from '@ecommerce/system-runner';

import { clientChecks, outcomeOf } from './client-checks';
import { KafkaAccess, type RawRecord } from './kafka-access';
import { nothingLost, type PoisonRecord } from './nothing-lost';
import { OrderLoad, StockSampler, type ClientOrder } from './order-load';
import { PrivateInfrastructure } from './private-infrastructure';
import { FaultLog, firstLine } from './fault-log';
import { checkTable, faultTable, table, type CheckRow } from './report';

interface Profile {
  name: string;
  ordersPerSecond: number;
  /** Load before the first fault and after the last one. */
  leadMs: number;
  /** Load between two faults, so each one's effects overlap the next only a little. */
  gapMs: number;
  /** How long a killed instance stays dead, and the broker stays stopped. */
  killedForMs: number;
  kafkaDownForMs: number;
  /** kill -9 every instance (2 per service) or the first of each service. */
  killEveryInstance: boolean;
  duplicatesPerTopic: number;
}

const PROFILES: Record<'full' | 'quick', Profile> = {
  full: {
    name: 'full',
    ordersPerSecond: 3,
    leadMs: 15_000,
    gapMs: 8_000,
    killedForMs: 3_000,
    kafkaDownForMs: 15_000,
    killEveryInstance: true,
    duplicatesPerTopic: 30,
  },
  quick: {
    name: 'quick',
    ordersPerSecond: 2,
    leadMs: 5_000,
    gapMs: 2_000,
    killedForMs: 1_000,
    kafkaDownForMs: 8_000,
    killEveryInstance: false,
    duplicatesPerTopic: 15,
  },
};

/** Products and their initial stock: enough that most happy orders are served all run long. */
const CATALOG = [
  { name: 'Mug', priceCents: 1250, stock: 400 },
  { name: 'Lamp', priceCents: 4000, stock: 300 },
  { name: 'Tee', priceCents: 1999, stock: 400 },
  { name: 'Pen', priceCents: 250, stock: 500 },
  { name: 'Kettle', priceCents: 3450, stock: 200 },
];
/** Stock added to every sku in the middle of the run (an adjustment, SPEC 5.2). */
const RESTOCK = 25;
const INSTANCES_PER_SERVICE = 2;
/** How long a killed instance may take to be running again, over all its start attempts. */
const RESTART_DEADLINE_MS = 300_000;
/** How long the system may take, once the load stops, to settle every order and consume every event. */
const QUIET_DEADLINE_MS = 180_000;

const started = Date.now();
/** Instances that died without being killed by the run (a crash is a finding, not a fault). */
const unexpectedExits: string[] = [];
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the run started, stopped in reverse order at the end, on failure and on Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];
let cleaningUp: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
      await cleanup().catch((error: unknown) => console.error('clean-up step failed:', error));
    }
  })();
  return cleaningUp;
}

async function main(profile: Profile): Promise<boolean> {
  log(`chaos run (${profile.name}): starting private PostgreSQL, Kafka and schema registry`);
  const infra = await PrivateInfrastructure.start(log);
  cleanups.push(() => infra.stop());
  const topicPrefix = `chaos.${randomUUID().slice(0, 8)}.`;
  const kafka = new KafkaAccess(infra.kafkaBrokers, topicPrefix);

  log(`starting ${INSTANCES_PER_SERVICE} instances of each service`);
  const system = await startServices({
    kafkaBrokers: infra.kafkaBrokers,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    databaseUrls: infra.databaseUrls,
    topicPrefix,
    instances: INSTANCES_PER_SERVICE,
    // A slow gateway leaves customer cancels a window while the authorization is in flight.
    // A saga timeout well above a consumer group's stall after a kill -9 (the dead member's 30 s
    // session, then a rebalance), so TIMEOUT means stuck rather than slow.
    settings: { PAYMENT_GATEWAY_LATENCY_MS: '200', SAGA_TIMEOUT_MS: '60000' },
    // A restart after kill -9 waits for that rebalance too, on a busy machine.
    readyTimeoutMs: 180_000,
  });
  cleanups.push(() => system.stop());

  const run = randomUUID().slice(0, 6).toUpperCase();
  const stockBaseline: Record<string, number> = {};
  for (const product of CATALOG) {
    const sku = `${product.name.toUpperCase()}-${run}`;
    await expectStatus(
      call(`${system.url('inventory')}/products/${sku}`, 'PUT', {
        name: product.name,
        priceCents: product.priceCents,
      }),
      201,
    );
    await expectStatus(
      call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: product.stock }),
      200,
    );
    stockBaseline[sku] = product.stock;
  }
  const skus = Object.keys(stockBaseline);
  const load = new OrderLoad(system, skus);
  await load.warmUp();
  const sampler = new StockSampler(system, skus);
  log(`catalog of ${skus.length} skus replicated; load at ${profile.ordersPerSecond} orders/s`);
  load.start(profile.ordersPerSecond);
  sampler.start();
  cleanups.push(async () => {
    sampler.stop();
    await load.stop();
  });

  const faults = new FaultLog(Date.now(), log);
  const poison: PoisonRecord[] = [];
  const between = async () => {
    await pause(profile.gapMs);
    await reviveExited(system, restarts);
  };

  // kill -9, then the restart runs in the background while the next faults go on. An instance is
  // killed only once the other instance of its service is back, so each service keeps serving.
  const restarts = new Map<ServiceProcess, Promise<void>>();
  const killAndRestart = async (instance: ServiceProcess, label: string) => {
    await Promise.all(system.instancesOf(instance.name as ServiceName).map((other) => restarts.get(other)));
    const fault = faults.begin(`kill -9 ${label}`);
    const restart = (async () => {
      await instance.kill();
      await pause(profile.killedForMs);
      const restarting = Date.now();
      const attempts = await startUntilReady(instance);
      const retried =
        attempts > 1 ? ` (${attempts} starts: the earlier ones exited or were not ready in time)` : '';
      return `down ${profile.killedForMs / 1000}s, ready ${((Date.now() - restarting) / 1000).toFixed(0)}s after its restart${retried}`;
    })()
      .then(
        (result) => fault.end(true, result),
        (error: unknown) => fault.end(false, firstLine(error)),
      )
      .finally(() => restarts.delete(instance));
    restarts.set(instance, restart);
    await between();
  };
  const kills = system.instances
    .map((instance) => {
      const index = system.instancesOf(instance.name as ServiceName).indexOf(instance);
      return { instance, index, label: `${instance.name}-service#${index}` };
    })
    .filter(({ index }) => profile.killEveryInstance || index === 0)
    // Every service's first instance, then every service's second.
    .sort((a, b) => a.index - b.index);

  const duplicateDeliveries = async () => {
    const sample = sampleDuplicates(
      await kafka.readAll(await kafka.eventTopics()),
      profile.duplicatesPerTopic,
    );
    await kafka.reproduce(sample);
    return `${sample.length} delivered records re-produced, same bytes and headers (${countByTopic(sample, topicPrefix)})`;
  };
  const otherFaults: (() => Promise<void>)[] = [
    () => faults.inject('duplicate deliveries', duplicateDeliveries),
    () =>
      faults.inject('poison message', async () => {
        const record = await kafka.producePoison(`${topicPrefix}orders`);
        poison.push(record);
        return `undecodable record at ${record.topic}/${record.partition}@${record.offset}`;
      }),
    () =>
      faults.inject('Kafka broker stop + restart', async () => {
        await infra.restartKafka(() => pause(profile.kafkaDownForMs));
        return `broker down ${profile.kafkaDownForMs / 1000}s, then restarted with its data`;
      }),
    () =>
      faults.inject('(adjustment) restock every sku', async () => {
        for (const sku of skus) {
          await expectStatus(
            untilConnected(() =>
              call(`${system.url('inventory')}/products/${sku}/stock`, 'POST', { quantity: RESTOCK }),
            ),
            200,
          );
          stockBaseline[sku] = (stockBaseline[sku] ?? 0) + RESTOCK;
        }
        return `+${RESTOCK} on each of ${skus.length} skus under load`;
      }),
    () =>
      faults.inject('PostgreSQL crash + restart', async () => {
        await infra.restartPostgres();
        return 'immediate stop (no checkpoint), restarted with WAL recovery';
      }),
    () => faults.inject('duplicate deliveries', duplicateDeliveries),
  ];

  await pause(profile.leadMs);
  // Kills interleaved with the other faults, so each kind of fault meets a different moment.
  for (let i = 0; i < Math.max(kills.length, otherFaults.length); i++) {
    const kill = kills[i];
    if (kill) await killAndRestart(kill.instance, kill.label);
    const other = otherFaults[i];
    if (other) {
      await other();
      await between();
    }
  }
  await Promise.all(restarts.values());
  await pause(profile.leadMs);

  sampler.stop();
  const clients = await load.stop();
  log(`load stopped: ${clients.length} orders requested; waiting for the system to be quiet`);
  const databaseUrls = Object.values(infra.databaseUrls);
  const quietAfter = await waitForQuiet(system, kafka);
  log(
    quietAfter === undefined
      ? 'not quiet before the deadline; checking anyway'
      : `quiet after ${quietAfter}s`,
  );

  const snapshot = await readSnapshot(system, skus);
  const invariants = await checkInvariants(
    system,
    {
      stockBaseline,
      lowestAvailable: sampler.lowest,
      nothingLost: () => nothingLost(kafka, databaseUrls, poison),
    },
    snapshot,
  );
  const checks: CheckRow[] = [
    ...invariants.map((r) => ({ id: String(r.invariant), title: r.title, held: r.held, detail: r.detail })),
    ...clientChecks(clients, snapshot),
    {
      id: 'C3',
      title: 'no instance died other than by the kills',
      held: unexpectedExits.length === 0,
      detail:
        unexpectedExits.length === 0 ? `${system.instances.length} instances` : unexpectedExits.join(', '),
    },
  ];

  console.log(
    `\nFaults injected (${profile.name} run, t = seconds since the load started)\n${faultTable(faults.records)}`,
  );
  console.log(`\nLoad\n${loadTable(clients, snapshot.orders, sampler.samples)}`);
  console.log(`\nInvariants (SPEC section 5) and client guarantees\n${checkTable(checks)}\n`);
  const held = checks.every((c) => c.held) && faults.records.every((f) => f.ok);
  console.log(held ? 'every invariant held' : 'INVARIANTS VIOLATED or a fault failed: see above');
  if (!held)
    log(`the services' output (LOG_LEVEL=warn) is in ${await saveServiceOutput(system, topicPrefix)}`);
  return held;
}

/**
 * Quiet: no order PENDING, no consumer group behind. Returns the seconds it took, or undefined at
 * the deadline (then the invariants say what is stuck). A probe that fails (a group rebalancing
 * after the kills, an instance still restarting) is tried again, not taken as the deadline.
 */
async function waitForQuiet(system: RunningServices, kafka: KafkaAccess): Promise<number | undefined> {
  const since = Date.now();
  let lastState = 'not probed yet';
  try {
    await waitFor(
      'no PENDING order and no consumer lag',
      async () => {
        try {
          const pending = await call(`${system.url('order')}/orders?status=PENDING&limit=1`, 'GET');
          if ((pending.body as { items: unknown[] }).items.length > 0) {
            lastState = 'an order is PENDING';
            return false;
          }
          const behind = (await kafka.consumerLag()).filter((l) => l.lag > 0);
          lastState = behind.map((l) => `${l.group} ${l.topic} lag ${l.lag}`).join(', ');
          return behind.length === 0;
        } catch (error) {
          lastState = `probe failed: ${(error as Error).message}`;
          return false;
        }
      },
      { timeoutMs: QUIET_DEADLINE_MS, intervalMs: 2_000 },
    );
    return Math.round((Date.now() - since) / 1000);
  } catch {
    log(`not quiet after ${QUIET_DEADLINE_MS / 1000}s; last: ${lastState}`);
    return undefined;
  }
}

/** Writes what every instance printed, restarts included, to a directory of its own; returns it. */
async function saveServiceOutput(system: RunningServices, topicPrefix: string): Promise<string> {
  const directory = join(__dirname, '..', 'results', topicPrefix.replace(/\.$/, ''));
  await mkdir(directory, { recursive: true });
  for (const instance of system.instances) {
    const index = system.instancesOf(instance.name as ServiceName).indexOf(instance);
    await writeFile(join(directory, `${instance.name}-service-${index}.log`), instance.output());
    // CI keeps only what is printed: the last errors of each instance go to the output too.
    const errors = instance
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":50') || line.includes('"level":"ERROR"'));
    if (errors.length > 0) {
      console.log(`--- ${instance.name}-service#${index}: ${errors.length} error line(s), the last 5:`);
      for (const line of errors.slice(-5)) console.log(line.slice(0, 1_000));
    }
  }
  return directory;
}

/**
 * An instance that died on its own (not one the run killed and is restarting) is started again, as
 * an orchestrator would, and the death is logged: the fault table would not show it otherwise.
 */
async function reviveExited(system: RunningServices, restarts: ReadonlyMap<ServiceProcess, Promise<void>>) {
  for (const instance of system.instances) {
    if (instance.running || restarts.has(instance)) continue;
    log(`${instance.name}-service on ${instance.url} exited on its own: restarting it`);
    unexpectedExits.push(`${instance.name}-service ${instance.url}`);
    await startUntilReady(instance);
  }
}

/**
 * Starts an instance again and again until it is ready, as an orchestrator restarts a container:
 * a service exits at start when Kafka or its database is unreachable, and a restart may overlap
 * with a broker or database fault. Returns how many starts it took.
 */
async function startUntilReady(instance: ServiceProcess): Promise<number> {
  const deadline = Date.now() + RESTART_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await instance.start();
      return attempt;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await instance.kill(); // a start that timed out leaves the process running
      await pause(2_000);
    }
  }
}

/** Up to `perTopic` records of each topic, spread over the log (old and recent). */
function sampleDuplicates(records: readonly RawRecord[], perTopic: number): RawRecord[] {
  const byTopic = new Map<string, RawRecord[]>();
  for (const record of records) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
  return [...byTopic.values()].flatMap((all) => {
    const step = Math.max(1, Math.floor(all.length / perTopic));
    return all.filter((_, index) => index % step === 0).slice(0, perTopic);
  });
}

function countByTopic(records: readonly RawRecord[], prefix: string): string {
  const counts = new Map<string, number>();
  for (const record of records)
    counts.set(record.topic.slice(prefix.length), (counts.get(record.topic.slice(prefix.length)) ?? 0) + 1);
  return [...counts].map(([topic, n]) => `${topic} ${n}`).join(', ');
}

function loadTable(
  clients: readonly ClientOrder[],
  orders: readonly Parameters<typeof outcomeOf>[0][],
  stockSamples: number,
): string {
  const byCustomer = new Map(orders.map((order) => [order.customerId, outcomeOf(order)]));
  const kinds = [...new Set(clients.map((c) => c.kind))];
  const outcomes = [...new Set(byCustomer.values())].sort();
  const rows = kinds.map((kind) => {
    const ofKind = clients.filter((c) => c.kind === kind);
    return [
      kind,
      String(ofKind.length),
      String(ofKind.filter((c) => c.attempts > 1).length),
      ...outcomes.map((outcome) =>
        String(ofKind.filter((c) => byCustomer.get(c.customerId) === outcome).length),
      ),
    ];
  });
  return `${table(['request', 'sent', 'retried', ...outcomes], rows)}\n  available sampled ${stockSamples} times`;
}

/**
 * A stock adjustment is not idempotent, so it is retried only when the connection was refused (an
 * instance still restarting): then the request never reached a service. Any other failure stands.
 */
async function untilConnected<T>(request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
      if (!refused || Date.now() > deadline) throw error;
      await pause(500);
    }
  }
}

async function expectStatus(
  response: Promise<{ status: number; body: unknown }>,
  status: number,
): Promise<void> {
  const { status: actual, body } = await response;
  if (actual !== status) throw new Error(`expected ${status}, got ${actual}: ${JSON.stringify(body)}`);
}

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // Not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a
  // second signal must not kill it halfway through stopping what it started.
  process.on(signal, () => {
    if (cleaningUp) return;
    log(`${signal}: stopping what this run started`);
    void cleanUp().then(() => process.exit(130));
  });
}
main(values.quick ? PROFILES.quick : PROFILES.full)
  .then(async (held) => {
    await cleanUp();
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    process.exit(held ? 0 : 1);
  })
  .catch(async (error: unknown) => {
    console.error('chaos run failed:', error);
    await cleanUp();
    process.exit(1);
  });
