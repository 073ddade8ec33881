// The database handle every module gets. One pool per process; transactions through `db.transaction`.
import { createHash } from 'node:crypto';
import { rootPath } from './paths.js';
import pg from 'pg';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from '../db/schema.js';

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything queries can run on: the pool-backed database or an open transaction. */
export type Executor = Db | Tx;

/**
 * `column = any($1)` with the whole list as one array parameter. For long lists (a page's
 * variants, a cart's SKUs) this is one parameter instead of hundreds: a shorter statement for
 * PostgreSQL to parse and far less work for the query builder than `inArray`.
 */
export function anyOf(column: SQLWrapper, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param(values)}::text[])`;
}

/**
 * A name for a statement, from its text, under which each connection keeps it parsed and, once it
 * has run it a few times, planned: for hot statements whose text comes in a few shapes only (values
 * go in as parameters, lists as one array parameter, never as a list of parameters).
 */
export function statementName(text: string): string {
  return `w_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
}

export const MIGRATIONS_DIR = rootPath('drizzle');
const MIGRATION_LOCK = 7_261_001;

export function createPool(url: string, max: number, applicationName = 'winkel'): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    // Opening a connection costs a new server process (milliseconds); idle ones are kept for a while.
    idleTimeoutMillis: 300_000,
    // Product search's typo tolerance: "chrismas" is 0.58 word-similar to "christmas"; pg_trgm's
    // default threshold (0.6) would miss it. random_page_cost 1.1: Winkel assumes SSD storage, on
    // which the default (4, for spinning disks) makes the planner skip good index scans.
    options: '-c pg_trgm.word_similarity_threshold=0.45 -c random_page_cost=1.1',
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

// A new server process loads the English and Dutch stemmers the first time it parses a search (a
// millisecond or two): the connections opened at start do it then, not for their first shopper.
const WARM_UP = "select to_tsvector('english', 'winkel') || to_tsvector('dutch', 'winkel') || to_tsvector('simple', 'winkel')";

/**
 * Opens `n` connections at start, with the search dictionaries loaded, so the first requests do not
 * each pay for a new server process (a connection takes several milliseconds to open). They stay in
 * the pool as idle connections.
 */
export async function warmPool(pool: pg.Pool, n: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: Math.max(0, Math.min(n, pool.options.max ?? n)) }, () => pool.connect().catch(() => undefined)));
  await Promise.all(clients.map((c) => c?.query(WARM_UP).catch(() => undefined)));
  for (const c of clients) c?.release();
}

/**
 * The SQLSTATE of a database error, also when the query builder wrapped it (drizzle puts
 * PostgreSQL's error in `cause`).
 */
export function sqlState(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** PostgreSQL ended the transaction to break a deadlock or a serialization conflict: it may simply be run again. */
export const isRetryable = (err: unknown) => ['40P01', '40001'].includes(sqlState(err) ?? '');

/** Runs a transaction again (up to three times in all) when PostgreSQL ended it for a deadlock or a serialization conflict. */
export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= 3 || !isRetryable(err)) throw err;
    }
  }
}

export function createDb(pool: pg.Pool): Db {
  return drizzle(pool, { schema });
}

/** Applies committed migrations once, even when several processes start together. */
export async function runMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Turns a connection failure into one line an operator can act on. */
export function describeDbError(err: unknown, url: string): string {
  const e = err as { code?: string; message?: string };
  const where = redactUrl(url);
  if (e.code === 'ECONNREFUSED') return `database unreachable: nothing answers at ${where}`;
  if (e.code === 'ENOTFOUND') return `database unreachable: unknown host in ${where}`;
  if (e.code === '28P01' || e.code === '28000') return `database refused the credentials for ${where}`;
  if (e.code === '3D000') return `database does not exist: ${where}`;
  return `database error at ${where}: ${e.message ?? String(err)}`;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
