/**
 * The highest value among the samples of `metric` in a Prometheus text exposition (any labels);
 * undefined when the metric has no sample (e.g. a consumer that has not handled anything yet).
 */
export function maxSampleValue(exposition: string, metric: string): number | undefined {
  const values = sampleValues(exposition, metric);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** The sum of the samples of `metric` (any labels): a counter's total over its label sets; 0 when none. */
export function sumSampleValues(exposition: string, metric: string): number {
  return sampleValues(exposition, metric).reduce((sum, value) => sum + value, 0);
}

function sampleValues(exposition: string, metric: string): number[] {
  const values: number[] = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    // `metric{...} v` or `metric v`; anything else is another metric sharing the prefix.
    if (!rest.startsWith('{') && !rest.startsWith(' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) values.push(value);
  }
  return values;
}
