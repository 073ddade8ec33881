// npm run bench [-- NAME …]: runs the named benchmarks (all, in this order, by default), prints a
// table per benchmark, and writes bench/results.json and docs/BENCHMARKS.md. `-- --list` lists them.
// A new benchmark is one file under bench/ exporting a Benchmark, added to BENCHMARKS below.
import type { Benchmark } from './lib/bench.js';
import { BenchDatabase } from './lib/database.js';
import { stopEverything } from './lib/process.js';
import { machineLabel, printSection, save } from './lib/results.js';
import { http } from './http.js';
import { catalog } from './catalog.js';
import { promotions } from './promotions.js';
import { inventory } from './inventory.js';
import { checkout } from './checkout.js';
import { customers } from './customers.js';

const BENCHMARKS: Benchmark[] = [http, catalog, promotions, inventory, checkout, customers];

const args = process.argv.slice(2);
if (args.includes('--list') || args.includes('--help')) {
  for (const b of BENCHMARKS) process.stdout.write(`${b.name.padEnd(12)} ${b.summary}\n`);
  process.exit(0);
}
const wanted = args.filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(64);
}
const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;

const db = new BenchDatabase();
let failed = false;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping what the benchmarks started…\n`);
    void stopEverything()
      .then(() => db.stop())
      .finally(() => process.exit(130));
  });
}

const started = performance.now();
try {
  for (const b of selected) {
    process.stdout.write(`\n== ${b.name}\n`);
    const t0 = performance.now();
    const section = await b.run({ db });
    section.machine = machineLabel(section.database ?? db.label);
    save(b.name, section, BENCHMARKS.map((x) => x.name));
    printSection(b.name, section);
    process.stdout.write(`(${b.name} took ${Math.round((performance.now() - t0) / 1000)} s)\n`);
  }
} catch (err) {
  failed = true;
  process.stderr.write(`\nBENCHMARK FAILED: ${(err as Error).stack ?? err}\n`);
} finally {
  await stopEverything();
  await db.stop();
}
process.stdout.write(`\n${failed ? 'failed' : 'done'} in ${Math.round((performance.now() - started) / 1000)} s; results in bench/results.json and docs/BENCHMARKS.md\n`);
process.exit(failed ? 1 : 0);
