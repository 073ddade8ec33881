// README.md promises a table of every setting; this keeps the promise true.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../src/platform/config.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');
  it('documents every setting with its variable and config key', () => {
    for (const [key, env] of Object.entries(ENV_NAMES)) {
      expect(readme, `README lacks ${env}`).toContain(`| \`${env}\` | \`${key}\` |`);
    }
  });
  it('shows the two commands that are the contract', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
