import { infrastructureFromEnvironment } from './test-infrastructure';

describe('infrastructureFromEnvironment', () => {
  const complete = {
    KAFKA_BROKERS: '127.0.0.1:9092',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    POSTGRES_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
  };

  it('when all three variables are set, then they are the infrastructure', () => {
    expect(infrastructureFromEnvironment(complete)).toEqual({
      kafkaBrokers: complete.KAFKA_BROKERS,
      schemaRegistryUrl: complete.SCHEMA_REGISTRY_URL,
      postgresUrl: complete.POSTGRES_URL,
    });
  });

  it('when none is set, then the environment provides nothing and detection goes on', () => {
    expect(infrastructureFromEnvironment({})).toBeUndefined();
  });

  it('when only some are set, then it refuses and names the missing ones', () => {
    expect(() => infrastructureFromEnvironment({ KAFKA_BROKERS: complete.KAFKA_BROKERS })).toThrow(
      'missing: SCHEMA_REGISTRY_URL, POSTGRES_URL',
    );
  });
});
