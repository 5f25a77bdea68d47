import { renderKafkaServerProperties } from './kafka-server-properties';

function propertiesOf(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const base = {
  host: '127.0.0.1',
  nodeId: 1,
  port: 19092,
  controllerPort: 19093,
  quorumVoters: [{ nodeId: 1, controllerPort: 19093 }],
  dataDir: '/tmp/kafka',
};

describe('server.properties of the local broker', () => {
  it('when no proxied listener is asked for, then clients and the broker share the one PLAINTEXT listener', () => {
    const properties = propertiesOf(renderKafkaServerProperties(base));
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('listener.security.protocol.map')).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT');
  });

  it('when proxied listeners are asked for, then each listens on its port and is advertised at its proxy', () => {
    const properties = propertiesOf(
      renderKafkaServerProperties({
        ...base,
        proxiedListeners: [
          { name: 'ORDER_0', port: 20001, advertisedPort: 30001 },
          { name: 'ORDER_1', port: 20002, advertisedPort: 30002 },
        ],
      }),
    );
    expect(properties.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,ORDER_0://127.0.0.1:20001,ORDER_1://127.0.0.1:20002',
    );
    expect(properties.get('advertised.listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19092,ORDER_0://127.0.0.1:30001,ORDER_1://127.0.0.1:30002',
    );
    expect(properties.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,ORDER_0:PLAINTEXT,ORDER_1:PLAINTEXT',
    );
    // The broker's own traffic never goes through a proxy.
    expect(properties.get('inter.broker.listener.name')).toBe('PLAINTEXT');
  });
});
