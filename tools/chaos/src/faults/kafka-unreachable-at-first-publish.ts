import type { ServiceName } from '@ecommerce/system-runner';

import { eventually, pause, type ChaosRun } from '../chaos-run';
import { NO_KAFKA_ROUTES, withRouteFault } from '../dependency-routes';
import { firstLine } from '../fault-log';
import { eventsPublishedBy, leadingInstance, waitingRows } from './relay-leadership';

/**
 * Kafka unreachable when an instance publishes for the first time (issue 10, defect 1: a publisher
 * whose first connect failed rethrew that failure forever). A standby's relay has never published,
 * so its producer has never connected: the standby's route to Kafka refuses new connections (its
 * consumers keep the ones they have), the leader is killed, the standby takes the lead and tries
 * its first publish for `refuseForMs`; then Kafka is reachable again and every row waiting must be
 * published within `publishWithinMs`, with no restart. The killed leader stays down until then, so
 * the standby is the one relay that can publish (a relay whose publish fails gives up the lead, and
 * another instance's relay would publish in its place). A standby that published before (it led
 * once, after a restart of the database or a kill) is restarted first. If the rows stay unpublished,
 * the standby is restarted, as an orchestrator would on its failed readiness, so the rest of the run
 * is not stalled by this known failure. Runs in the background, within the service's turn, isolated
 * from faults on whole dependencies (a broker restart would drop the connections the standby keeps).
 */
export function kafkaUnreachableAtFirstPublish(
  run: ChaosRun,
  {
    service,
    refuseForMs,
    publishWithinMs,
  }: { service: ServiceName; refuseForMs: number; publishWithinMs: number },
): void {
  run.background(
    run.instances.turn(service, () =>
      run.withSteadyDependencies(() =>
        run.faults.inject('kafka-unreachable-at-first-publish', `${service}-service standby`, async () => {
          let leader = await leadingInstance(run, service);
          const standby = run.system.instancesOf(service).find((instance) => instance !== leader.instance);
          if (!standby) throw new Error(`${service}-service has no second instance`);
          const standbyKafkaRoute = run.infra.routes.of(standby.label).kafka;
          if (!standbyKafkaRoute) throw new Error(NO_KAFKA_ROUTES);
          const steps: string[] = [];
          if (!standby.running || (await eventsPublishedBy(standby)) > 0) {
            steps.push(
              `${standby.label} restarted first (ready in ${await run.instances.restartNow(standby)}s)`,
            );
            leader = await leadingInstance(run, service);
            if (leader.instance === standby)
              throw new Error(`${standby.label} took the lead while restarting`);
          }
          let killedLeader: { restart(): Promise<number> } | undefined;
          try {
            let waitingWhileRefused = 0;
            await withRouteFault([standbyKafkaRoute], { kind: 'refuse' }, async () => {
              killedLeader = await run.instances.kill(leader.instance);
              await leadingInstance(run, service, { other: leader.instance });
              steps.push(
                `${leader.instance.label} killed; ${standby.label} led with its Kafka route refusing`,
              );
              await pause(refuseForMs);
              waitingWhileRefused = await eventually(
                'the rows waiting',
                () => waitingRows(run, service, new Date()),
                {
                  timeoutMs: 30_000,
                },
              );
            });
            if (waitingWhileRefused === 0) {
              throw new Error(
                `no row waited while Kafka was refused: ${service}-service published nothing to test`,
              );
            }
            steps.push(`${refuseForMs / 1000}s refused, ${waitingWhileRefused} rows waiting`);
            const cameBack = Date.now();
            const published = await eventually(
              `${service}-service's outbox to be published`,
              async () => (await waitingRows(run, service, new Date(cameBack))) === 0,
              { timeoutMs: publishWithinMs },
            ).then(
              () => true,
              () => false,
            );
            const after = ((Date.now() - cameBack) / 1000).toFixed(0);
            if (!published) {
              const left = await waitingRows(run, service, new Date(cameBack)).catch(() => NaN);
              const restart = await run.instances.restartNow(standby);
              throw new Error(
                `${steps.join('; ')}; ${left} rows still unpublished ${after}s after Kafka was back; ` +
                  `${standby.label} restarted to recover (${restart}s)`,
              );
            }
            steps.push(`every row published ${after}s after Kafka was back, no restart`);
          } finally {
            // Back only now: until then the standby is the service's one relay, so no other instance
            // can publish in its place.
            if (killedLeader) {
              const ready = await killedLeader
                .restart()
                .catch((error: unknown) => `not: ${firstLine(error)}`);
              steps.push(
                `${leader.instance.label} restarted (ready ${typeof ready === 'number' ? `in ${ready}s` : ready})`,
              );
            }
          }
          return steps.join('; ');
        }),
      ),
    ),
  );
}
