// Recent product-list answers, kept in memory per process and served again as long as nothing they
// are made of has changed. Storefronts ask for the same few pages (a category, the first page of a
// search) over and over; answering those from memory is what keeps a busy storefront off the
// database.
//
// An answer is dropped
// - at once when this process records a catalog or pricing change (`emit` of product, variant,
//   category, attribute, assortment, price or price list events, before the change commits),
// - when any process commits a change to those tables (a statement-level trigger notifies
//   `winkel_catalog`, which every process listens to; see migration 0023),
// - when a price list's validity window opens or closes (a price may change with no write at all),
// - and in any case after CATALOG_CACHE_TTL_MS, so that even a lost notification heals quickly.
// An answer computed while a change was under way is stored under the generation it started in, so
// it is never served once that change is known.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Executor } from '../../platform/db.js';
import { nextPriceListChange } from '../pricing/index.js';

const CHANGES = /^(product|variant|category|attribute|assortment|price|price_list)\./;

interface Entry extends CachedAnswer {
  key: string;
  generation: number;
  expiresAt: number;
}

export interface CachedAnswer {
  body: Buffer;
  etag: string;
  /** The body gzipped, made on the first request that accepts it. */
  gzipped?: Buffer;
}

/** Answers smaller than this are sent as they are: compressing them saves too little. */
const GZIP_FROM_BYTES = 1024;

export interface AnswerCacheOptions {
  /** How long an answer may be served at most (ms); 0 turns the cache off. */
  ttlMs: number;
  /** Memory the answers may take in all (bytes). */
  maxBytes?: number;
}

export class AnswerCache {
  private generation = 0;
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** When the next price list window opens or closes, per generation. */
  private boundary: { generation: number; at: number; checkedAt: number } | undefined;
  private readonly maxBytes: number;

  constructor(private readonly opts: AnswerCacheOptions) {
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  }

  get enabled() {
    return this.opts.ttlMs > 0;
  }

  /** Forgets every answer. */
  invalidate() {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
    this.boundary = undefined;
  }

  /** For `onEmitted`: drops the answers when a recorded event changes what they show. */
  readonly onEvents = (types: string[]) => {
    if (types.some((t) => CHANGES.test(t))) this.invalidate();
  };

  get(key: string, now = Date.now()): CachedAnswer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.generation !== this.generation || e.expiresAt <= now) {
      this.drop(key, e);
      return undefined;
    }
    return e;
  }

  /**
   * Starts an answer: the generation to store it under and how long it may live (an answer started
   * with the cache off is never stored).
   */
  async begin(db: Executor, now = Date.now()): Promise<{ generation: number; expiresAt: number }> {
    if (!this.enabled) return { generation: -1, expiresAt: 0 };
    const generation = this.generation;
    let b = this.boundary;
    if (!b || b.generation !== generation || (b.at <= now && b.at > b.checkedAt)) {
      const at = await nextPriceListChange(db);
      b = { generation, at: at ? at.getTime() : Number.POSITIVE_INFINITY, checkedAt: now };
      if (generation === this.generation) this.boundary = b;
    }
    const expiresAt = Math.min(now + this.opts.ttlMs, b.at > now ? b.at : now);
    return { generation, expiresAt };
  }

  /** Keeps an answer unless a change became known while it was made. */
  put(key: string, started: { generation: number; expiresAt: number }, body: Buffer): CachedAnswer {
    const etag = `W/"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
    if (started.generation !== this.generation || started.expiresAt <= Date.now() || body.length > this.maxBytes / 8) return { body, etag };
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const entry: Entry = { key, generation: started.generation, expiresAt: started.expiresAt, body, etag };
    this.entries.set(key, entry);
    this.bytes += body.length + key.length;
    // Oldest first: a Map iterates in insertion order.
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
    return entry;
  }

  private drop(key: string, e: Entry) {
    this.entries.delete(key);
    this.bytes -= e.body.length + (e.gzipped?.length ?? 0) + key.length;
  }

  /** The body to send for this `accept-encoding`: gzipped (once per answer) when the caller takes gzip. */
  encode(a: CachedAnswer, acceptEncoding: string | undefined): { body: Buffer; gzip: boolean } {
    if (a.body.length < GZIP_FROM_BYTES || !acceptEncoding || !/\bgzip\b/i.test(acceptEncoding) || /\bgzip\s*;\s*q=0(\.0*)?(?![.\d])/i.test(acceptEncoding)) return { body: a.body, gzip: false };
    if (!a.gzipped) {
      a.gzipped = gzipSync(a.body, { level: 6 });
      const key = (a as Partial<Entry>).key;
      if (key !== undefined && this.entries.get(key) === a) this.bytes += a.gzipped.length;
    }
    return { body: a.gzipped, gzip: true };
  }
}
