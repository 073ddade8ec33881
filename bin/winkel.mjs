#!/usr/bin/env node
// Starts Winkel. From the bundle in dist/ when it is newer than every source file (`npm start`
// builds it), otherwise straight from the TypeScript sources through tsx, so a checkout works
// without any build step and an edit is never run stale.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasHeapCeiling, serveNodeFlags } from './node-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist/winkel.mjs');

function newestSource(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

async function run() {
  const fresh = process.env.WINKEL_FROM_SOURCE !== '1' && existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(path.join(root, 'src'));
  if (fresh) {
    process.setSourceMapsEnabled(true);
    await import(bundle);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/main.ts');
  }
}

// `serve` and `worker` run for days and get Winkel's heap settings (bin/node-flags.mjs). Node takes
// those only at its start, so when they were not given, this launcher starts the real process with
// them and passes signals and the exit code through.
const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('-'));
const longRunning = (command === undefined || command === 'serve' || command === 'worker') && !args.some((a) => ['-h', '--help', '-V', '--version'].includes(a));
if (longRunning && !hasHeapCeiling() && process.env.WINKEL_NODE_FLAGS !== 'off') {
  // The IPC channel tells the server when this launcher is gone (even by kill -9): it then goes too.
  const child = spawn(process.execPath, [...serveNodeFlags(), ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, WINKEL_LAUNCHER_PID: String(process.pid) },
  });
  // Ctrl-C reaches both processes; the server takes a repeat within a second as the same request.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)));
} else {
  if (process.channel && process.env.WINKEL_LAUNCHER_PID === String(process.ppid)) {
    // Started by the launcher above: a launcher killed outright takes the server with it, as a
    // kill -9 of the server itself would.
    process.channel.unref();
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  }
  await run();
}
