#!/usr/bin/env node
// Starts Winkel. From the bundle in dist/ when it is newer than every source file (`npm start`
// builds it), otherwise straight from the TypeScript sources through tsx, so a checkout works
// without any build step and an edit is never run stale.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

const fresh = process.env.WINKEL_FROM_SOURCE !== '1' && existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(path.join(root, 'src'));
if (fresh) {
  process.setSourceMapsEnabled(true);
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
