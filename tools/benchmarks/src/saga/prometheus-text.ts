/**
 * The highest value among the samples of `metric` in a Prometheus text exposition (any labels);
 * undefined when the metric has no sample (e.g. a consumer that has not handled anything yet).
 */
export function maxSampleValue(exposition: string, metric: string): number | undefined {
  let max: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    // `metric{...} v` or `metric v`; anything else is another metric sharing the prefix.
    if (!rest.startsWith('{') && !rest.startsWith(' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) max = Math.max(max ?? value, value);
  }
  return max;
}
