/**
 * Samples the process's resident set size while `work` runs and returns how far
 * it rose above where it started. Sampling is coarse (every 10 ms) but a body
 * buffered in full (a gigabyte) cannot slip between samples unnoticed.
 */
export async function measurePeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakGrowthBytes: number }> {
  globalThis.gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakGrowthBytes: peak - start };
  } finally {
    clearInterval(timer);
  }
}
