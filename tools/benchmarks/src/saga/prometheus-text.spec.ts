import { maxSampleValue, sumSampleValues } from './prometheus-text';

describe('maxSampleValue', () => {
  const exposition = [
    '# HELP ecommerce_consumer_lag_messages Messages between ...',
    '# TYPE ecommerce_consumer_lag_messages gauge',
    'ecommerce_consumer_lag_messages{group="order-service",topic="b.inventory",partition="0"} 3',
    'ecommerce_consumer_lag_messages{group="order-service",topic="b.payments",partition="1"} 12',
    'ecommerce_consumer_lag_messages_other 999',
    'ecommerce_outbox_backlog_events{service="order"} 50',
  ].join('\n');

  it('when several label sets have samples, then it is the highest, ignoring metrics that share the prefix', () => {
    expect(maxSampleValue(exposition, 'ecommerce_consumer_lag_messages')).toBe(12);
  });

  it('when the metric has no sample, then it is undefined', () => {
    expect(
      maxSampleValue('# TYPE ecommerce_consumer_lag_messages gauge\n', 'ecommerce_consumer_lag_messages'),
    ).toBeUndefined();
  });
});

describe('sumSampleValues', () => {
  it('when a counter has several label sets, then it is their sum, ignoring metrics that share the prefix', () => {
    const exposition = [
      '# TYPE ecommerce_consumer_offset_commits_total counter',
      'ecommerce_consumer_offset_commits_total{group="order-service"} 4',
      'ecommerce_consumer_offset_commits_total{group="catalog"} 2.5',
      'ecommerce_consumer_offset_commits_total_other 100',
    ].join('\n');
    expect(sumSampleValues(exposition, 'ecommerce_consumer_offset_commits_total')).toBe(6.5);
  });

  it('when the metric has no sample, then it is 0', () => {
    expect(sumSampleValues('', 'ecommerce_consumer_offset_commits_total')).toBe(0);
  });
});
