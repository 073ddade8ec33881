// What a benchmark is: one file under bench/ exporting a Benchmark, listed in bench/run.ts.
import type { BenchDatabase } from './database.js';
import type { Section } from './results.js';

export interface BenchContext {
  /** A PostgreSQL shared by the run (started on first use) for benchmarks that query it themselves. */
  db: BenchDatabase;
}

export interface Benchmark {
  /** What `npm run bench -- NAME` selects; figures are named `NAME.something`. */
  name: string;
  /** One line for `npm run bench -- --list`. */
  summary: string;
  run(ctx: BenchContext): Promise<Section>;
}

/** The command that reproduces a benchmark's figures. */
export const commandFor = (name: string) => `npm run bench -- ${name}`;
