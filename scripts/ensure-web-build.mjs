// `npm start` builds the web app and the server bundle only when they are missing or older than their sources, so a
// restart stays fast.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'web/dist/index.html');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(path.join(root, 'web/vite.config.ts'))) process.exit(0);
const sources = [path.join(root, 'web/src'), path.join(root, 'web/index.html'), path.join(root, 'web/vite.config.ts')].filter(existsSync);
const srcTime = Math.max(0, ...sources.map((s) => (statSync(s).isDirectory() ? newest(s) : statSync(s).mtimeMs)));
if (!existsSync(dist) || statSync(dist).mtimeMs < srcTime) {
  process.stdout.write('building the web app (once; later starts reuse it)…\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}

// The server bundle, too (see scripts/build-server.mjs): rebuilt when any source is newer.
const bundle = path.join(root, 'dist/winkel.mjs');
if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest(path.join(root, 'src'))) {
  const { buildServer } = await import('./build-server.mjs');
  await buildServer();
}
