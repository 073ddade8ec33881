// npm run bench [-- NAME …]: runs the named benchmarks (all by default), prints a table, and writes
// bench/results.json and docs/BENCHMARKS.md.
import { BenchDatabase } from './lib/env.js';
import { machine, save, type Section } from './lib/results.js';
import { httpBench } from './http.js';
import { inventoryBench } from './inventory.js';
import { catalogBench } from './catalog.js';
import { promotionsBench } from './promotions.js';
import { checkoutBench } from './checkout.js';

type Bench = (db: BenchDatabase, machine: string) => Promise<Section>;
const BENCHES: Record<string, Bench> = { http: httpBench, catalog: catalogBench, promotions: promotionsBench, inventory: inventoryBench, checkout: checkoutBench };

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(64);
}
const db = new BenchDatabase();
await db.start();
let failed = false;
try {
  for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
    process.stdout.write(`\n== ${name}\n`);
    const section = await BENCHES[name](db, machine(db.embeddedLabel));
    save(name, section);
    const rows = Object.entries(section.figures).map(([k, f]) => ({ figure: k, value: `${f.value} ${f.unit}`, reference: f.reference ?? '', ratio: f.ratio ?? '', goal: f.goal, met: f.met ? 'yes' : 'NO', detail: f.detail ?? '' }));
    console.table(rows);
    if (section.peakRssMb !== undefined) process.stdout.write(`peak RSS of winkel serve: ${section.peakRssMb} MB\n`);
  }
} catch (err) {
  failed = true;
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? err}\n`);
} finally {
  await db.stop();
}
process.exit(failed ? 1 : 0);
