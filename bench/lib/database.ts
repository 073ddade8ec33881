// PostgreSQL for benchmarks that talk to the database themselves (inventory, catalog import): one
// embedded PostgreSQL for the whole run, started on first use, or the server in BENCH_DATABASE_URL;
// a fresh database per benchmark either way. Benchmarks that only need a Winkel server let
// `winkel serve` start its own embedded PostgreSQL (see winkel.ts).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/platform/embedded-pg.js';

/** Creates an empty database on the server at `adminUrl` and returns its URL. */
export async function freshDatabaseOn(adminUrl: string, name: string): Promise<string> {
  const db = `bench_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`create database ${db}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function serverVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('show server_version')).rows[0].server_version as string;
  } finally {
    await c.end();
  }
}

export class BenchDatabase {
  private embedded?: EmbeddedPostgres;
  private dir?: string;
  private starting?: Promise<void>;
  adminUrl = '';
  version = '';

  get started() {
    return this.adminUrl !== '';
  }

  /** Starts on first use; calling it again is free. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      if (process.env.BENCH_DATABASE_URL) {
        this.adminUrl = process.env.BENCH_DATABASE_URL;
      } else {
        this.dir = mkdtempSync(path.join(os.tmpdir(), 'winkel-bench-'));
        // The embedded server runs as the postgres user, which must be able to enter the directory.
        chmodSync(this.dir, 0o755);
        // Durable settings, as in production: the figures include fsync.
        this.embedded = await startEmbeddedPostgres({ dataDir: this.dir, database: 'postgres' });
        this.adminUrl = this.embedded.url;
      }
      this.version = await serverVersion(this.adminUrl);
    })();
    return this.starting;
  }

  get label() {
    if (!this.started) return '';
    return this.embedded ? `PostgreSQL ${this.version}, embedded (started by the benchmark)` : `PostgreSQL ${this.version} (BENCH_DATABASE_URL)`;
  }

  async freshDatabase(name: string): Promise<string> {
    await this.start();
    return freshDatabaseOn(this.adminUrl, name);
  }

  async stop() {
    if (this.starting) await this.starting.catch(() => undefined);
    await this.embedded?.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
