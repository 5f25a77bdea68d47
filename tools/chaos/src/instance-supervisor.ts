import type { RunningServices, ServiceName, ServiceProcess } from '@ecommerce/system-runner';

import { firstLine, type FaultLog } from './fault-log';
import { Turns } from './turns';

/** How long a killed instance may take to be running again, over all its start attempts. */
const RESTART_DEADLINE_MS = 300_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Plays the orchestrator of the services' instances: kills and restarts them, starts again an
 * instance that died on its own, and keeps the faults that disturb one service's instances apart.
 * A fault that takes an instance away holds its service's turn until the instance is back, so the
 * next such fault waits and each service keeps one instance serving: faults on different services,
 * and faults on a dependency, still overlap.
 */
export class InstanceSupervisor {
  /** Instances that died without being killed by the run (a crash is a finding, not a fault). */
  readonly unexpectedExits: string[] = [];
  private readonly turns = new Turns<ServiceName>();
  /** Instances the run took away (killed, restarting): not crashed. */
  private readonly away = new Set<ServiceProcess>();

  constructor(
    private readonly system: RunningServices,
    private readonly faults: FaultLog,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs `work` once every earlier turn on `service` has ended; the next waits for this one. */
  turn<T>(service: ServiceName, work: () => Promise<T>): Promise<T> {
    return this.turns.take(service, work);
  }

  /** Resolves once every turn taken so far has ended (restarts included). */
  settled(): Promise<void> {
    return this.turns.settled();
  }

  /**
   * kill -9, recorded as a fault; the restart goes on in the background within the service's turn.
   * Resolves once the instance is dead (or the fault failed).
   */
  async killAndRestart(instance: ServiceProcess, downForMs: number): Promise<void> {
    let killed!: () => void;
    const dead = new Promise<void>((resolve) => (killed = resolve));
    const restart = this.turn(instance.name as ServiceName, () =>
      this.whileAway(instance, async () => {
        const fault = this.faults.begin('kill-9', instance.label);
        try {
          await instance.kill();
          killed();
          await pause(downForMs);
          const restarting = Date.now();
          const attempts = await this.startUntilReady(instance);
          const retried =
            attempts > 1 ? ` (${attempts} starts: the earlier ones exited or were not ready in time)` : '';
          fault.end(
            true,
            `down ${downForMs / 1000}s, ready ${((Date.now() - restarting) / 1000).toFixed(0)}s after its restart${retried}`,
          );
        } catch (error) {
          fault.end(false, firstLine(error));
        } finally {
          killed();
        }
      }),
    );
    await Promise.race([dead, restart]);
  }

  /**
   * Kills an instance and starts it again at once, within the caller's turn (part of another fault);
   * resolves with how long it took to be ready.
   */
  async restartNow(instance: ServiceProcess): Promise<number> {
    return (await this.kill(instance)).restart();
  }

  /**
   * Kills an instance within the caller's turn (part of another fault); `restart` brings it back and
   * resolves with how long it took to be ready.
   */
  async kill(instance: ServiceProcess): Promise<{ restart(): Promise<number> }> {
    this.away.add(instance);
    await instance.kill();
    return {
      restart: async () => {
        try {
          const restarting = Date.now();
          await this.startUntilReady(instance);
          return Math.round((Date.now() - restarting) / 1000);
        } finally {
          this.away.delete(instance);
        }
      },
    };
  }

  /**
   * An instance that died on its own (not one the run killed and is restarting) is started again,
   * as an orchestrator would, and the death is logged: the fault table would not show it otherwise.
   */
  async reviveExited(): Promise<void> {
    for (const instance of this.system.instances) {
      if (instance.running || this.away.has(instance)) continue;
      this.log(`${instance.label} exited on its own: restarting it`);
      this.unexpectedExits.push(instance.label);
      await this.whileAway(instance, () => this.startUntilReady(instance));
    }
  }

  /**
   * Starts an instance again and again until it is ready, as an orchestrator restarts a container:
   * a service exits at start when Kafka or its database is unreachable, and a restart may overlap
   * with a broker or database fault. Returns how many starts it took.
   */
  private async startUntilReady(instance: ServiceProcess): Promise<number> {
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

  /** Marks an instance as taken away by the run while `work` runs, so it is not taken for a crash. */
  private async whileAway<T>(instance: ServiceProcess, work: () => Promise<T>): Promise<T> {
    this.away.add(instance);
    try {
      return await work();
    } finally {
      this.away.delete(instance);
    }
  }
}
