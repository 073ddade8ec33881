// Once per test run: a PostgreSQL (embedded, or TEST_DATABASE_URL), and a template database with
// every migration applied. Each test file then clones its own database from the template.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { createDb, createPool, runMigrations } from '../src/platform/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/platform/embedded-pg.js';
import { Jobs } from '../src/platform/jobs.js';
import { maintenanceJobs } from '../src/modules/system/jobs.js';
import { loadConfig } from '../src/platform/config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    dbPrefix: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let dataDir: string | undefined;

function withDatabase(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'winkel-test-'));
    chmodSync(dataDir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir, fast: true, database: 'postgres' });
    adminUrl = embedded.url;
  }
  const prefix = `wt_${process.pid}_${Date.now().toString(36)}`;
  const templateDb = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${templateDb}`);
  const pool = createPool(withDatabase(adminUrl, templateDb), 2);
  await runMigrations(pool);
  // Silent: the template's connections are cut below on purpose.
  const log = pino({ level: 'silent' });
  const jobs = new Jobs(withDatabase(adminUrl, templateDb), log);
  for (const j of maintenanceJobs(createDb(pool), loadConfig({ env: {} }))) jobs.define(j);
  await jobs.install();
  await jobs.stop();
  await pool.end();
  // Nobody may stay connected to a template, or CREATE DATABASE … TEMPLATE fails.
  await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [templateDb]);
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  project.provide('dbPrefix', prefix);

  return async () => {
    const left = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${prefix}%`]);
    for (const { datname } of left.rows) {
      await admin.query(`drop database if exists ${datname} with (force)`).catch(() => undefined);
    }
    await admin.end();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
