// Typo tolerance looks close words up in memory (catalog/words.ts): it must find exactly what
// PostgreSQL's pg_trgm finds in the search_words table, for real catalog words and real typos, and
// it must pick up words added later, also by another process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db.js';
import { CatalogWords, similarity, TYPO_SIMILARITY } from '../src/modules/catalog/words.js';
import { useTestDatabase } from './helpers/db.js';
import { eventually } from './helpers/server.js';

let db: Db;

/** Every word of the descriptions in the committed sample of the real data set. */
function sampleWords(): string[] {
  const csv = readFileSync(path.join(import.meta.dirname, 'fixtures/online-retail-sample.csv'), 'utf8');
  const words = new Set<string>();
  for (const line of csv.split('\n').slice(1)) {
    const description = line.split(',')[2] ?? '';
    for (const w of description.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w.length >= 3 && w.length <= 40) words.add(w);
  }
  return [...words];
}

useTestDatabase(4, (t) => (db = t.db));

/** The close words as the database's trigram index finds them. */
async function closeInDatabase(typed: string[]): Promise<Map<string, string[]>> {
  const r = await db.execute<{ typed: string; word: string }>(
    sql`select q as typed, s.word from unnest(${`{${typed.join(',')}}`}::text[]) as q join search_words s on s.word % q
        where s.word <> q and similarity(s.word, q) >= ${TYPO_SIMILARITY} order by q, similarity(s.word, q) desc, s.word collate "C"`,
  );
  const out = new Map<string, string[]>(typed.map((w) => [w, []]));
  for (const row of r.rows) {
    const list = out.get(row.typed)!;
    if (list.length < 5) list.push(row.word);
  }
  return out;
}

describe('catalog words', () => {
  it('computes the same similarity as pg_trgm', async () => {
    const pairs: Array<[string, string]> = [
      ['chrismas', 'christmas'],
      ['lantarn', 'lantern'],
      ['ab', 'abc'],
      ['heart', 'hearts'],
      ['kaars', 'kaarsen'],
      ['85123a', '85123'],
      ['zzz', 'christmas'],
    ];
    for (const [a, b] of pairs) {
      const r = await db.execute<{ s: number }>(sql`select similarity(${a}, ${b})::float8 as s`);
      expect(similarity(a, b)).toBeCloseTo(Number(r.rows[0]!.s), 5);
    }
  });

  it('finds exactly the close words the database finds, for real words and typos', async () => {
    const words = sampleWords();
    expect(words.length).toBeGreaterThan(100);
    await db.execute(sql`insert into search_words (word) select unnest(${`{${words.join(',')}}`}::text[]) on conflict do nothing`);
    const typos = ['chrismas', 'lantarn', 'hart', 'candel', 'vintge', 'bottel', 'dormat', 'cushon', 'regancy', 'spaceboi', 'woden', 'glas', 'kerst', 'kaars', '85123', 'zzzqqq'];
    const typed = [...typos, ...words.slice(0, 60)];
    const memory = new CatalogWords();
    const mine = await memory.close(db, typed);
    const theirs = await closeInDatabase(typed);
    expect(mine).toEqual(theirs);
    // Not a vacuous comparison: most typos do have close words.
    expect(typos.filter((t) => mine.get(t)!.length > 0).length).toBeGreaterThan(8);
  });

  it('reads the words again after a change, without making a search wait for it', async () => {
    const memory = new CatalogWords();
    expect((await memory.close(db, ['zebrastripe'])).get('zebrastripe')).toEqual([]);
    // Another process adds a product titled "zebrastripes": this process hears of a change.
    await db.execute(sql`insert into search_words (word) values ('zebrastripes')`);
    expect((await memory.close(db, ['zebrastripe'])).get('zebrastripe')).toEqual([]);
    memory.changed();
    await eventually(async () => (await memory.close(db, ['zebrastripe'])).get('zebrastripe')!.includes('zebrastripes'), 5_000);
  });

  it('reads them again after maxAgeMs even when no change was heard of', async () => {
    const memory = new CatalogWords({ maxAgeMs: 50 });
    expect((await memory.close(db, ['quokkas'])).get('quokkas')).toEqual([]);
    await db.execute(sql`insert into search_words (word) values ('quokka')`);
    await new Promise((r) => setTimeout(r, 80));
    await eventually(async () => (await memory.close(db, ['quokkas'])).get('quokkas')!.includes('quokka'), 5_000);
  });
});
