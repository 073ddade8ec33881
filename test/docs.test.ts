// README.md promises a table of every setting, a list of every page under docs/, and screens named
// as the web app names them; this keeps those promises true.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../src/platform/config.js';
import { en } from '../web/src/locales/en.js';

const readme = readFileSync('README.md', 'utf8');
const docs = readdirSync('docs').filter((f) => f.endsWith('.md'));

describe('README', () => {
  it('documents every setting with its variable and config key', () => {
    for (const [key, env] of Object.entries(ENV_NAMES)) {
      expect(readme, `README lacks ${env}`).toContain(`| \`${env}\` | \`${key}\` |`);
    }
  });
  it('shows the two commands that are the contract', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
  it('lists every page under docs/', () => {
    for (const page of docs) expect(readme, `README's Documentation lacks docs/${page}`).toContain(`](docs/${page})`);
  });
});

describe('the docs', () => {
  it('name screens as the web app shows them (*Developer tools → Mail catcher*)', () => {
    const labels = new Set<string>([...Object.values(en.surfaces), ...Object.values(en.nav)]);
    const paths: string[] = [];
    for (const [file, text] of [['README.md', readme], ...docs.map((d) => [`docs/${d}`, readFileSync(`docs/${d}`, 'utf8')])]) {
      for (const m of text.matchAll(/\*([^*\n`]+ → [^*\n`]+)\*/g)) {
        paths.push(m[1]);
        for (const part of m[1].split(' → ')) expect(labels.has(part), `${file}: "${part}" in *${m[1]}* is not a label of the web app's navigation (web/src/locales/en.ts)`).toBe(true);
      }
    }
    expect(paths).toContain(`${en.surfaces.devtools} → ${en.nav.mail}`);
  });
});
