import type { Admin, Kafka } from 'kafkajs';

/**
 * Runs `work` on an admin connection of its own, disconnected afterwards whatever happens: for the
 * one-off cluster questions of tools and tests (delete a run's topics, read offsets, delete a
 * throw-away consumer group). Long-lived readers keep one connection instead (`ClusterWatch`).
 */
export async function withKafkaAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
