// Processes the benchmarks start: free ports on 127.0.0.1, waiting for a child to exit (with a time
// limit), and sampling a process's resident memory from /proc.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nothing listens on right now, picked by the kernel on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Everything started and not yet stopped, so the runner (bench/run.ts) can clean up after a failure. */
const running = new Set<() => Promise<void>>();
export async function stopEverything() {
  for (const stop of [...running]) await stop().catch((err) => process.stderr.write(`cleanup: ${(err as Error).message}\n`));
}
export function track(stop: () => Promise<void>) {
  running.add(stop);
  return () => running.delete(stop);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with the exit code (or signal name) once the child has exited, or `null` after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

/** Keeps the last `max` characters of a child's output, for error messages. */
export function captureOutput(child: ChildProcess, max = 20_000) {
  const buf = { text: '' };
  const add = (d: Buffer) => {
    buf.text += d.toString();
    if (buf.text.length > max * 2) buf.text = buf.text.slice(-max);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return buf;
}

/** One field of /proc/<pid>/status in kB (0 once the process is gone). */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples a process's VmRSS every 200 ms. `phase(name)` starts a new phase, so a benchmark can say
 * which part of its run the peak came from; `stop()` also reads the kernel's high-water mark
 * (VmHWM), which catches a peak between two samples.
 */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  private current: string;
  readonly phases = new Map<string, number>();
  peakKb = 0;
  private hwmKb = 0;

  constructor(
    readonly pid: number,
    firstPhase = 'start-up',
  ) {
    this.current = firstPhase;
  }

  private sample() {
    const kb = procStatusKb(this.pid, 'VmRSS');
    if (!kb) return;
    this.peakKb = Math.max(this.peakKb, kb);
    this.phases.set(this.current, Math.max(this.phases.get(this.current) ?? 0, kb));
    this.hwmKb = Math.max(this.hwmKb, procStatusKb(this.pid, 'VmHWM'));
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
    return this;
  }

  phase(name: string) {
    this.sample();
    this.current = name;
    this.sample();
  }

  /** Call before the process exits (VmHWM is gone with it). Returns the peak in MB. */
  stop(): number {
    if (this.timer) {
      this.sample();
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.peakKb = Math.max(this.peakKb, this.hwmKb);
    return this.peakMb;
  }

  get peakMb() {
    return Math.round(Math.max(this.peakKb, this.hwmKb) / 1024);
  }

  /** Peak RSS per phase in MB, in the order the phases began. */
  phasePeaksMb(): Record<string, number> {
    return Object.fromEntries([...this.phases].map(([k, v]) => [k, Math.round(v / 1024)]));
  }
}
