import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { allTopics } from '@ecommerce/contracts';

import { renderKustomization, type KubernetesResource } from './kustomize-renderer';
import { validateResources } from './manifest-validation';
import { strimziSchemas, type CustomResourceSchema } from './testing/strimzi-schemas';

const K8S_DIR = join(__dirname, '..');
const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: { cpu?: string; memory?: string } };
}
type Workload = KubernetesResource & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; volumes?: Array<{ secret?: { secretName: string } }> };
    };
  };
};

const ofKind = <T extends KubernetesResource>(resources: readonly KubernetesResource[], kind: string) =>
  resources.filter((resource) => resource.kind === kind) as T[];

describe.each([
  ['base', join(K8S_DIR, 'base')],
  ['local overlay', join(K8S_DIR, 'overlays', 'local')],
])('Kubernetes manifests: %s', (_name, directory) => {
  let resources: KubernetesResource[];
  let schemas: CustomResourceSchema[];
  let settings: Record<string, string>;
  let deployments: Workload[];

  beforeAll(async () => {
    resources = renderKustomization(directory);
    schemas = await strimziSchemas();
    settings = (ofKind<KubernetesResource & { data: Record<string, string> }>(resources, 'ConfigMap').find(
      (map) => map.metadata.name === 'ecommerce-settings',
    )?.data ?? {}) as Record<string, string>;
    deployments = ofKind<Workload>(resources, 'Deployment').filter((d) =>
      d.metadata.name.endsWith('-service'),
    );
  }, 600_000);

  it('when rendered, then every resource is valid against the Kubernetes or the Strimzi schema of its kind', async () => {
    const results = await validateResources(resources, schemas);
    expect(results.filter((result) => result.problem !== undefined)).toEqual([]);
    expect(results.length).toBe(resources.length);
  });

  it('when rendered, then there is one Deployment per service, each with both health probes and resource requests', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'analytics-service',
      'inventory-service',
      'notification-service',
      'order-service',
      'payment-service',
    ]);
    for (const deployment of deployments) {
      const [container] = deployment.spec.template.spec.containers;
      expect([
        deployment.metadata.name,
        container?.readinessProbe?.httpGet?.path,
        container?.livenessProbe?.httpGet?.path,
      ]).toEqual([deployment.metadata.name, '/health/ready', '/health/live']);
      expect(container?.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    }
  });

  it('when rendered, then every service has a PodDisruptionBudget, and no autoscaler goes past the partitions', () => {
    const budgets = ofKind<
      KubernetesResource & { spec: { selector: { matchLabels: Record<string, string> } } }
    >(resources, 'PodDisruptionBudget');
    for (const deployment of deployments) {
      const labels = deployment.spec.template.metadata.labels;
      const covering = budgets.filter((budget) =>
        Object.entries(budget.spec.selector.matchLabels).every(([key, value]) => labels[key] === value),
      );
      expect([deployment.metadata.name, covering.length]).toEqual([deployment.metadata.name, 1]);
    }
    const autoscalers = ofKind<
      KubernetesResource & { spec: { maxReplicas: number; scaleTargetRef: { name: string } } }
    >(resources, 'HorizontalPodAutoscaler');
    expect(autoscalers.map((hpa) => hpa.spec.scaleTargetRef.name).sort()).toEqual([
      'inventory-service',
      'order-service',
      'payment-service',
    ]);
    for (const autoscaler of autoscalers) {
      expect(autoscaler.spec.maxReplicas).toBeLessThanOrEqual(Number(settings['KAFKA_TOPIC_PARTITIONS']));
    }
  });

  it('when rendered, then no Secret is written out and every secret value is a reference', () => {
    expect(ofKind(resources, 'Secret')).toEqual([]);
    const secretLike = /PASSWORD|TOKEN|DATABASE_URL|SMTP_URL/;
    const workloads = [
      ...ofKind<Workload>(resources, 'Deployment'),
      ...ofKind<Workload>(resources, 'StatefulSet'),
      ...ofKind<Workload>(resources, 'Job'),
    ];
    for (const workload of workloads) {
      for (const variable of workload.spec.template.spec.containers.flatMap((c) => c.env ?? [])) {
        if (secretLike.test(variable.name))
          expect([variable.name, variable.value]).toEqual([variable.name, undefined]);
      }
    }
    for (const [key, value] of Object.entries(settings)) {
      expect([key, secretLike.test(key)]).toEqual([key, false]);
      expect([key, /:\/\/[^/]*@/.test(value)]).toEqual([key, false]); // no credentials in a URL
    }
  });

  it('when rendered, then every Secret referenced is made by Strimzi or named in the README for the operator to create', () => {
    const users = ofKind(resources, 'KafkaUser').map((user) => user.metadata.name);
    const workloads = [
      ...ofKind<Workload>(resources, 'Deployment'),
      ...ofKind<Workload>(resources, 'StatefulSet'),
      ...ofKind<Workload>(resources, 'Job'),
    ];
    const referenced = new Set(
      workloads.flatMap((workload) => [
        ...workload.spec.template.spec.containers.flatMap((c) => [
          ...(c.env ?? []).flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef.name] : [])),
          ...(c.envFrom ?? []).flatMap((source) => (source.secretRef ? [source.secretRef.name] : [])),
        ]),
        ...(workload.spec.template.spec.volumes ?? []).flatMap((volume) =>
          volume.secret ? [volume.secret.secretName] : [],
        ),
      ]),
    );
    const madeByStrimzi = new Set([...users, 'ecommerce-kafka-cluster-ca-cert']);
    const deploySection = /## Deploy\n[\s\S]*?(?=\n## )/.exec(README)?.[0] ?? '';
    for (const secret of referenced) {
      if (!madeByStrimzi.has(secret))
        expect([secret, deploySection.includes(`\`${secret}\``)]).toEqual([secret, true]);
    }
    for (const deployment of deployments) {
      const username = deployment.spec.template.spec.containers[0]?.env?.find(
        (v) => v.name === 'KAFKA_SASL_USERNAME',
      )?.value;
      expect(users).toContain(username);
    }
  });

  it("when rendered, then every setting is one of the README's Configuration table", () => {
    const table = /## Configuration\n[\s\S]*?(?=\n## )/.exec(README)?.[0] ?? '';
    const documented = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]));
    const services = [...deployments, ...ofKind<Workload>(resources, 'Job')];
    const names = [
      ...Object.keys(settings),
      ...services.flatMap((w) =>
        w.spec.template.spec.containers.flatMap((c) => (c.env ?? []).map((v) => v.name)),
      ),
    ];
    // Node's own: trusts the Kafka cluster's CA for TLS (no setting of the services needed for it).
    const undocumented = names.filter((name) => !documented.has(name) && name !== 'NODE_EXTRA_CA_CERTS');
    expect(undocumented).toEqual([]);
  });

  it('when rendered, then the KafkaTopics are the event topics and a dead-letter topic per consumer group, all RF 3 with min ISR 2', () => {
    const topics = ofKind<
      KubernetesResource & { spec: { partitions: number; replicas: number; config: Record<string, unknown> } }
    >(resources, 'KafkaTopic');
    const prefix = settings['TOPIC_PREFIX'] ?? '';
    const names = topics.map((topic) => topic.metadata.name);
    expect(names.filter((name) => !name.startsWith(`${prefix}dlq.`)).sort()).toEqual(
      [...allTopics(prefix)].sort(),
    );
    expect(names.filter((name) => name.startsWith(`${prefix}dlq.`))).toHaveLength(7);
    for (const topic of topics) {
      expect([
        topic.metadata.name,
        topic.spec.partitions,
        topic.spec.replicas,
        topic.spec.config['min.insync.replicas'],
      ]).toEqual([
        topic.metadata.name,
        Number(settings['KAFKA_TOPIC_PARTITIONS']),
        Number(settings['KAFKA_REPLICATION_FACTOR']),
        2,
      ]);
    }
  });
});

describe('manifest validation itself', () => {
  let schemas: CustomResourceSchema[];
  beforeAll(async () => {
    schemas = await strimziSchemas();
  }, 600_000);

  it('when a Strimzi resource has a wrong type or an unknown field, then it is reported', async () => {
    const topic = (spec: Record<string, unknown>): KubernetesResource => ({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 'broken' },
      spec,
    });
    const [wrongType, unknownField, fine] = await validateResources(
      [
        topic({ partitions: 'six' }),
        topic({ partitions: 6, replica: 3 }),
        topic({ partitions: 6, replicas: 3 }),
      ],
      schemas,
    );
    expect(wrongType?.problem).toMatch(/partitions must be integer/);
    expect(unknownField?.problem).toMatch(/must NOT have additional properties/);
    expect(fine?.problem).toBeUndefined();
  });

  it('when a Kubernetes resource has a wrong type, misses a required field or has no schema, then it is reported', async () => {
    const deployment = (spec: Record<string, unknown>): KubernetesResource => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec,
    });
    const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const results = await validateResources(
      [
        deployment({ replicas: 'two', selector: { matchLabels: { a: 'b' } }, template }),
        deployment({ template }),
        { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'x' } },
      ],
      schemas,
    );
    expect(results.map((result) => result.problem)).toEqual([
      expect.stringMatching(/replicas/),
      expect.stringMatching(/selector/),
      'no schema for example.com/v1 Unknown',
    ]);
  });

  it('when a kustomization uses a field the renderer does not implement, then rendering fails instead of guessing', () => {
    const directory = mkdtempSync(join(tmpdir(), 'kustomization-'));
    try {
      writeFileSync(join(directory, 'kustomization.yaml'), 'resources: []\ncommonLabels: { team: shop }\n');
      expect(() => renderKustomization(directory)).toThrow(/commonLabels not supported/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
