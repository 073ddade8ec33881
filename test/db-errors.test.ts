// Database errors as drizzle hands them on (wrapped, PostgreSQL's error as the cause): their SQLSTATE
// is still found, and a transaction PostgreSQL ended for a deadlock is run again.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isRetryable, retryOnConflict, sqlState, type Db } from '../src/platform/db.js';
import { useTestDatabase } from './helpers/db.js';

let db: Db;
useTestDatabase(2, (t) => (db = t.db));

const raise = (code: string) => db.execute(sql.raw(`do $$ begin raise exception 'test' using errcode = '${code}'; end $$`));

describe('database errors', () => {
  it('finds the SQLSTATE inside the query builder’s wrapper', async () => {
    const err = await raise('40P01').catch((e: unknown) => e);
    expect((err as { code?: unknown }).code).not.toBe('40P01'); // wrapped
    expect(sqlState(err)).toBe('40P01');
    expect(isRetryable(err)).toBe(true);
    expect(isRetryable(await raise('23505').catch((e: unknown) => e))).toBe(false);
  });

  it('runs a transaction ended by a deadlock again, at most three times in all', async () => {
    let tries = 0;
    const ok = await retryOnConflict(() => db.transaction(async (tx) => {
      tries++;
      if (tries < 3) await tx.execute(sql.raw(`do $$ begin raise exception 'deadlock' using errcode = '40P01'; end $$`));
      return 'done';
    }));
    expect([ok, tries]).toEqual(['done', 3]);
    let always = 0;
    await expect(retryOnConflict(async () => {
      always++;
      await raise('40001');
    })).rejects.toBeTruthy();
    expect(always).toBe(3);
    let other = 0;
    await expect(retryOnConflict(async () => {
      other++;
      await raise('23505');
    })).rejects.toBeTruthy();
    expect(other).toBe(1);
  });
});
