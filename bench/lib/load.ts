// Bounded HTTP load with autocannon (in this process), against 127.0.0.1 only. Every run, warm-ups
// included, must end without a connection error, a timeout or a non-2xx answer; otherwise it throws.
import autocannon from 'autocannon';

export interface LoadOptions {
  /** Measured seconds (1–30; default BENCH_SECONDS or 8). */
  seconds?: number;
  /** Warm-up seconds before it, not measured (0–10; default 2). */
  warmupSeconds?: number;
  /** Concurrent connections (1–256; default 32). */
  connections?: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  label: string;
  rps: number;
  /** Latencies in ms. */
  p50: number;
  p99: number;
  requests: number;
  seconds: number;
  connections: number;
  /** Mean response size (body and headers) in bytes. */
  bytesPerResponse: number;
}

export class LoadError extends Error {}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export const defaultSeconds = () => clamp(Number(process.env.BENCH_SECONDS ?? 8) || 8, 1, 30);

async function run(label: string, url: string, seconds: number, connections: number, headers?: Record<string, string>): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`benchmarks only load 127.0.0.1, not ${url}`);
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, headers });
  const bad = r.errors + r.non2xx;
  if (bad) {
    // One request by hand, so the message says what the server answered.
    const sample = await fetch(url, { headers, signal: AbortSignal.timeout(5000) }).then(
      async (res) => `${res.status} ${(await res.text()).slice(0, 300)}`,
      (err: Error) => err.message,
    );
    throw new LoadError(
      `${label}: ${r.errors} connection errors (${r.timeouts} timeouts) and ${r.non2xx} non-2xx answers (1xx ${r['1xx']}, 3xx ${r['3xx']}, 4xx ${r['4xx']}, 5xx ${r['5xx']}) in ${r.requests.total} requests to ${url}; one more request answers: ${sample}`,
    );
  }
  if (r.requests.total === 0) throw new LoadError(`${label}: no request completed against ${url}`);
  return {
    label,
    rps: Math.round(r.requests.total / r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    seconds: Math.round(r.duration * 10) / 10,
    connections,
    bytesPerResponse: Math.round(r.throughput.total / r.requests.total),
  };
}

/** Warms up for `warmupSeconds`, then measures for `seconds`; both runs must be clean. */
export async function measure(label: string, url: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const seconds = clamp(opts.seconds ?? defaultSeconds(), 1, 30);
  const warmup = clamp(opts.warmupSeconds ?? 2, 0, 10);
  const connections = clamp(Math.round(opts.connections ?? 32), 1, 256);
  if (warmup > 0) await run(`${label} (warm-up)`, url, warmup, connections, opts.headers);
  return run(label, url, seconds, connections, opts.headers);
}
