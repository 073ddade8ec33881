// Where Winkel's own files are (migrations, the built web app, package.json), found from this
// module's location by walking up to Winkel's package.json. The same answer whether the code runs
// from src/ through tsx or from the bundle in dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'winkel') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find Winkel's package.json above ${from}`);
  }
}

export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const rootPath = (...parts: string[]) => path.join(ROOT, ...parts);
