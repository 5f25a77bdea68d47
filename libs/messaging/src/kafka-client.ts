import { Kafka, logLevel, type Admin, type SASLOptions } from 'kafkajs';

/**
 * kafkajs is imported by this library only, so the client can be replaced in one place.
 */
export interface KafkaConnectionSettings {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: SASLOptions;
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

export function createKafka({ brokers, clientId, ssl, sasl }: KafkaConnectionSettings): Kafka {
  // kafkajs logs through console by default; the services log through pino, errors surface as
  // rejected promises, so its own logger is kept to errors only.
  return new Kafka({
    brokers,
    clientId,
    logLevel: logLevel.ERROR,
    retry: { retries: 5 },
    ...(ssl && { ssl }),
    ...(sasl && { sasl }),
  });
}

/** A long-lived admin connection used by readiness probes. */
export class KafkaHealth {
  private admin: Admin | undefined;

  constructor(private readonly kafka: Kafka) {}

  /** Resolves when the cluster answers a metadata request; rejects otherwise. */
  async check(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const { brokers } = await this.admin.describeCluster();
    if (brokers.length === 0) throw new Error('Kafka cluster reports no brokers');
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
