// A database of this test file's own, cloned from the migrated template.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDb, createPool, type Db } from '../../src/platform/db.js';

type Pool = ReturnType<typeof createPool>;

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const name = `${inject('dbPrefix')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('templateDb')}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await c.end();
    },
  };
}

/**
 * A database of this test file's own with a pool of `poolSize` connections: made before its tests
 * and handed to `use`, then closed and dropped after them.
 */
export function useTestDatabase(poolSize: number, use: (t: { db: Db; pool: Pool; url: string }) => void) {
  let pool: Pool | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    pool = createPool(t.url, poolSize);
    use({ db: createDb(pool), pool, url: t.url });
  });
  afterAll(async () => {
    await pool?.end();
    await drop?.();
  });
}
