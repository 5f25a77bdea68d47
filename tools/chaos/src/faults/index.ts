import type { ChaosRun } from '../chaos-run';
import type { FaultStep, Profile } from '../profiles';
import {
  duplicateDeliveries,
  kafkaBrokerRestart,
  poisonMessage,
  postgresCrash,
  stockAdjustment,
} from './classic-faults';
import { deadLetterReplayAfterCancel } from './dead-letter-replay-after-cancel';
import { kafkaBrokerCrash, kafkaBrokerLost } from './kafka-broker-loss';
import { kafkaUnreachableAtFirstPublish } from './kafka-unreachable-at-first-publish';
import { oversizedEvent } from './oversized-event';
import { registryHangs } from './registry-hangs';
import { relayLeaderDbBlackholed } from './relay-leader-db-blackholed';
import { connectionsReset, dependencyLatency } from './route-faults';
import { smtpSlowerThanTransaction } from './smtp-slower-than-transaction';

/**
 * Injects one step of the plan. Resolves when the next step may begin: at once for the faults that
 * go on in the background (`ChaosRun.background`), once the instance is dead for a kill.
 */
export async function injectFault(run: ChaosRun, step: FaultStep, profile: Profile): Promise<void> {
  switch (step.fault) {
    case 'kill-9': {
      const instance = run.system.instancesOf(step.service)[step.instance];
      if (!instance) throw new Error(`no ${step.service}-service#${step.instance}`);
      // The restart goes on within the service's turn, which the run waits for at the end.
      return run.instances.killAndRestart(instance, profile.killedForMs);
    }
    case 'kafka-broker-restart':
      return kafkaBrokerRestart(run, step.downForMs);
    case 'kafka-broker-crash':
      return kafkaBrokerCrash(run, step.downForMs);
    case 'kafka-broker-lost':
      return kafkaBrokerLost(run);
    case 'postgres-crash':
      return postgresCrash(run);
    case 'duplicate-deliveries':
      return duplicateDeliveries(run, step.perTopic);
    case 'poison-message':
      return poisonMessage(run);
    case 'stock-adjustment':
      return stockAdjustment(run, step.quantity);
    case 'kafka-unreachable-at-first-publish':
      return kafkaUnreachableAtFirstPublish(run, step);
    case 'smtp-slower-than-transaction':
      return smtpSlowerThanTransaction(run, step);
    case 'registry-hangs':
      return registryHangs(run, step);
    case 'dead-letter-replay-after-cancel':
      return deadLetterReplayAfterCancel(run);
    case 'oversized-event':
      return oversizedEvent(run, step);
    case 'relay-leader-db-blackholed':
      return relayLeaderDbBlackholed(run, step);
    case 'dependency-latency':
      return dependencyLatency(run, step);
    case 'connections-reset':
      return connectionsReset(run, step.dependency);
  }
}
