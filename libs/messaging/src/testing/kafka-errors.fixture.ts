import { KafkaJSProtocolError } from 'kafkajs';

/** What a broker answers about a topic its metadata does not hold yet: "not yet", retriable. */
export const unknownTopicOrPartition = () =>
  new KafkaJSProtocolError({
    message: 'This server does not host this topic-partition',
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    code: 3,
    retriable: true,
  } as never);
