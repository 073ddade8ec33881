// Bounded HTTP load with autocannon against 127.0.0.1 only.
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

export async function load(url: string, opts: { seconds?: number; connections?: number; headers?: Record<string, string> } = {}): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error('benchmarks only load 127.0.0.1');
  const r = await autocannon({ url, connections: opts.connections ?? 32, duration: opts.seconds ?? 8, headers: opts.headers, pipelining: 1 });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, requests: r.requests.total };
}

export async function warm(url: string, headers?: Record<string, string>) {
  await load(url, { seconds: 2, connections: 16, headers });
}
