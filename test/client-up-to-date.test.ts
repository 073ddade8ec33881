// The web app's API types are generated from the routes. If a route changes and nobody regenerates
// them, the web app compiles against an API that no longer exists: this test catches that.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateClientSource, SCHEMA_FILE } from '../scripts/generate-client.js';

describe('generated web API client', () => {
  it('web/src/api/schema.d.ts matches the current routes byte for byte', async () => {
    const expected = await generateClientSource();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === expected, 'web/src/api/schema.d.ts is out of date with the routes: run `npm run generate:client` and commit the result').toBe(true);
  });
});
