import { clusterReplication, renderKafkaServerProperties } from './kafka-server-properties';
import { resolveLocalInfraConfig } from './local-infra-config';
import { LocalInfraError } from './local-infra-error';

const nodePorts = (env: NodeJS.ProcessEnv) =>
  resolveLocalInfraConfig({}, env).kafkaNodes.map((node) => [
    node.nodeId,
    node.clientPort.port,
    node.controllerPort.port,
  ]);

describe('Kafka cluster settings', () => {
  it('when nothing is set, then there is one node on 9092/9093 running Kafka 3.9.2', () => {
    const config = resolveLocalInfraConfig({}, {});
    expect(nodePorts({})).toEqual([[1, 9092, 9093]]);
    expect(config.kafkaRelease.version).toBe('3.9.2');
    expect(config.kafkaRelease.pomFile).toMatch(/maven\/kafka-3\/pom\.xml$/);
  });

  it('when three brokers are asked for with one port each, then the client and controller ports interleave', () => {
    expect(nodePorts({ LOCAL_KAFKA_BROKERS_COUNT: '3' })).toEqual([
      [1, 9092, 9093],
      [2, 9094, 9095],
      [3, 9096, 9097],
    ]);
  });

  it('when ports are listed per node, then each node gets its own', () => {
    expect(
      nodePorts({
        LOCAL_KAFKA_BROKERS_COUNT: '2',
        LOCAL_KAFKA_PORT: '19092, 29092',
        LOCAL_KAFKA_CONTROLLER_PORT: '19093,29093',
      }),
    ).toEqual([
      [1, 19092, 19093],
      [2, 29092, 29093],
    ]);
  });

  it.each([
    [{ LOCAL_KAFKA_BROKERS_COUNT: '0' }, /LOCAL_KAFKA_BROKERS_COUNT=0 /],
    [{ LOCAL_KAFKA_BROKERS_COUNT: 'three' }, /LOCAL_KAFKA_BROKERS_COUNT=three /],
    [{ LOCAL_KAFKA_BROKERS_COUNT: '6' }, /1-5/],
    [{ LOCAL_KAFKA_BROKERS_COUNT: '3', LOCAL_KAFKA_PORT: '1,2' }, /LOCAL_KAFKA_PORT=1,2 lists 2 ports for 3/],
    [{ LOCAL_KAFKA_PORT: '65535', LOCAL_KAFKA_BROKERS_COUNT: '2' }, /LOCAL_KAFKA_PORT=65537 /],
    [{ LOCAL_KAFKA_VERSION: '3.8.1' }, /LOCAL_KAFKA_VERSION=3\.8\.1 is not a Kafka release/],
    [{ LOCAL_KAFKA_VERSION: 'latest' }, /LOCAL_KAFKA_VERSION=latest/],
  ])('when the settings are %j, then they are refused with a message naming the variable', (env, message) => {
    expect(() => resolveLocalInfraConfig({}, env)).toThrow(LocalInfraError);
    expect(() => resolveLocalInfraConfig({}, env)).toThrow(message);
  });

  it('when Kafka 4 is asked for, then its own manifest and Log4j 2 configuration are used', () => {
    const { kafkaRelease } = resolveLocalInfraConfig({ kafkaVersion: '4.3.2' }, {});
    expect(kafkaRelease.pomFile).toMatch(/maven\/kafka-4\/pom\.xml$/);
    expect(kafkaRelease.loggingJvmArg).toMatch(/^-Dlog4j2\.configurationFile=.*kafka-log4j2\.properties$/);
  });

  it('when options are given, then they win over the environment', () => {
    const config = resolveLocalInfraConfig(
      { kafkaBrokerCount: 3, kafkaPort: [1001, 1002, 1003], kafkaVersion: '4.3.2' },
      { LOCAL_KAFKA_BROKERS_COUNT: '1', LOCAL_KAFKA_VERSION: '3.9.2' },
    );
    expect(config.kafkaNodes.map((node) => node.clientPort.port)).toEqual([1001, 1002, 1003]);
    expect(config.kafkaRelease.version).toBe('4.3.2');
  });
});

describe('server.properties by cluster size', () => {
  it.each([
    [1, { replicationFactor: 1, minInSyncReplicas: 1 }],
    // Two nodes with min.insync.replicas 2 would stop every producer while one node is down.
    [2, { replicationFactor: 2, minInSyncReplicas: 1 }],
    [3, { replicationFactor: 3, minInSyncReplicas: 2 }],
    [5, { replicationFactor: 3, minInSyncReplicas: 2 }],
  ])('when the cluster has %i node(s), then topics default to %j', (nodes, expected) => {
    expect(clusterReplication(nodes)).toEqual(expected);
  });

  it('when a node of three is rendered, then it is a voter among all three and applies RF 3 / min ISR 2 to the internal topics too', () => {
    const properties = renderKafkaServerProperties({
      host: '127.0.0.1',
      nodeId: 2,
      port: 9094,
      controllerPort: 9095,
      quorumVoters: [
        { nodeId: 1, controllerPort: 9093 },
        { nodeId: 2, controllerPort: 9095 },
        { nodeId: 3, controllerPort: 9097 },
      ],
      dataDir: '/state/kafka/node-2/data',
    });
    const lines = properties.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'node.id=2',
        'controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097',
        'listeners=PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095',
        'default.replication.factor=3',
        'min.insync.replicas=2',
        'offsets.topic.replication.factor=3',
        'transaction.state.log.replication.factor=3',
        'transaction.state.log.min.isr=2',
      ]),
    );
  });
});
