// The catalog's own words (search_words: every word of every product title), held in memory per
// process with a trigram index, for typo tolerance: "chrismas" → christmas, "lantarn" → lantern.
//
// Similarity is pg_trgm's (so the table's trigram index and this agree): a word's trigrams are those
// of the word padded with two spaces in front and one behind; the similarity of two words is the
// number of trigrams they share divided by the number of distinct trigrams of both. Looking close
// words up here instead of in the database saves every search a round trip, also the first time a
// word is typed.
//
// The words are read once, on first use, and again after a catalog change (this process's own
// change at once, other processes' through the `winkel_catalog` notification) or after at most
// `maxAgeMs`. A search never waits for such a re-read: it uses the words it has until the new ones
// are in. A new word is therefore found typo-tolerantly moments after it is added.
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';

/** How alike a typed word and a catalog word must be (trigram similarity) to count as a typo of it. */
export const TYPO_SIMILARITY = 0.4;
/** Close words kept per typed word, the closest first. */
const MAX_CLOSE = 5;

/** The distinct trigrams of one word as pg_trgm makes them (lowercase; the word has no spaces). */
export function trigrams(word: string): string[] {
  const padded = `  ${word.toLowerCase()} `;
  const chars = [...padded];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  return [...out];
}

/** pg_trgm's similarity of two words. */
export function similarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = new Set(trigrams(b));
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  const union = ta.length + tb.size - shared;
  return union ? shared / union : 0;
}

interface Vocabulary {
  words: string[];
  /** How many distinct trigrams each word has. */
  sizes: Uint16Array;
  /** Trigram → the words that have it. */
  index: Map<string, number[]>;
}

function buildVocabulary(words: string[]): Vocabulary {
  const sizes = new Uint16Array(words.length);
  const index = new Map<string, number[]>();
  words.forEach((w, i) => {
    const ts = trigrams(w);
    sizes[i] = ts.length;
    for (const t of ts) {
      const list = index.get(t);
      if (list) list.push(i);
      else index.set(t, [i]);
    }
  });
  return { words, sizes, index };
}

export interface CatalogWordsOptions {
  /** Read the words again after this long at the latest (ms), even without a change being heard of. */
  maxAgeMs?: number;
  /** Told when reading the words failed (the old ones stay in use). */
  onError?: (err: unknown) => void;
}

export class CatalogWords {
  private vocabulary: Vocabulary | undefined;
  private loadedAt = 0;
  /** Bumped by every change heard of; a read that started before a bump leaves the words stale. */
  private changes = 0;
  private loadedChanges = -1;
  private loading: Promise<void> | undefined;
  private readonly maxAgeMs: number;

  constructor(private readonly opts: CatalogWordsOptions = {}) {
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
  }

  /** A catalog change was made or heard of: read the words again before long. */
  changed() {
    this.changes++;
  }

  /** How many words are held (for tests and diagnostics). */
  get size() {
    return this.vocabulary?.words.length ?? 0;
  }

  private load(db: Executor): Promise<void> {
    this.loading ??= (async () => {
      const startedAt = this.changes;
      try {
        const r = await db.execute<{ word: string }>(sql`select word from search_words`);
        this.vocabulary = buildVocabulary(r.rows.map((x) => x.word));
        this.loadedAt = Date.now();
        this.loadedChanges = startedAt;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** Reads the words ahead of the first search (at start); a failure is only told, not thrown. */
  async warm(db: Executor): Promise<void> {
    if (!this.vocabulary) await this.load(db).catch((err) => this.opts.onError?.(err));
  }

  /** The words, read now if never read, else as held (a re-read, when due, runs meanwhile). */
  private async current(db: Executor): Promise<Vocabulary> {
    if (!this.vocabulary) {
      await this.load(db);
      return this.vocabulary!;
    }
    if (this.loadedChanges !== this.changes || Date.now() - this.loadedAt > this.maxAgeMs) {
      this.load(db).catch((err) => this.opts.onError?.(err));
    }
    return this.vocabulary;
  }

  /**
   * Per typed word (lowercase, letters and digits), the catalog words at least TYPO_SIMILARITY alike,
   * the closest first (ties in alphabetical order), at most five, never the word itself.
   */
  async close(db: Executor, typed: string[]): Promise<Map<string, string[]>> {
    const v = await this.current(db);
    const out = new Map<string, string[]>();
    const shared = new Map<number, number>();
    for (const w of typed) {
      const ts = trigrams(w);
      shared.clear();
      for (const t of ts) for (const i of v.index.get(t) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
      const found: Array<{ word: string; sim: number }> = [];
      for (const [i, n] of shared) {
        const sim = n / (ts.length + v.sizes[i]! - n);
        if (sim >= TYPO_SIMILARITY && v.words[i] !== w) found.push({ word: v.words[i]!, sim });
      }
      found.sort((a, b) => b.sim - a.sim || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
      out.set(
        w,
        found.slice(0, MAX_CLOSE).map((f) => f.word),
      );
    }
    return out;
  }
}
