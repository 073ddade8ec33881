// Starts bench/reference-server.ts (a bare Fastify route) as a child process, set up like Winkel:
// the same Node, TypeScript through tsx, a free port on 127.0.0.1, its memory sampled.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { captureOutput, freePort, ROOT, RssSampler, sleep, track, waitForExit } from './process.js';

export interface ReferenceProcess {
  url: string;
  /** The bare route: GET /ping answers a small JSON object. */
  pingUrl: string;
  child: ChildProcess;
  rss: RssSampler;
  stop(): Promise<void>;
}

/** With `databaseUrl` (Winkel's database), the server also answers GET /db/api-keys (see reference-server.ts). */
export async function startReference(opts: { databaseUrl?: string; poolSize?: number } = {}): Promise<ReferenceProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    PORT: String(port),
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl, DB_POOL_SIZE: String(opts.poolSize ?? 20) } : {}),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/reference-server.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out = captureOutput(child);
  const rss = new RssSampler(child.pid!).start();
  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      rss.stop();
      untrack();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if ((await waitForExit(child, 10_000)) === null) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    })());
  const untrack = track(stop);
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`reference server exited (${child.exitCode ?? child.signalCode}):\n${out.text}`);
      if (Date.now() > deadline) throw new Error(`reference server did not answer within 30 s:\n${out.text}`);
      const ok = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) }).then(
        async (r) => (await r.text(), r.status === 200),
        () => false,
      );
      if (ok) break;
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  rss.phase('idle');
  return { url, pingUrl: `${url}/ping`, child, rss, stop };
}
