// Cursor pagination. A cursor is an opaque token naming the last item of the page; lists are
// ordered newest first by their sortable id unless a route says otherwise.
import { badRequest } from '../errors.js';

export interface PageResult<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

const notOurs = () =>
  badRequest('The cursor is not one this API handed out; pass `nextCursor` from the previous page unchanged.', [{ field: '/cursor', message: 'not a valid cursor' }]);

/** The JSON object inside a cursor, or a 400: every malformed cursor is the caller's mistake. */
function cursorObject(cursor: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {}
  throw notOurs();
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const { k } = cursorObject(cursor);
  if (typeof k === 'string' && !k.includes('\u0000')) return k;
  throw notOurs();
}

/** A cursor naming a moment and an id, for lists ordered by time (timelines). */
export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: at.toISOString(), id })).toString('base64url');
}

export function decodeTimeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const { t, id } = cursorObject(cursor);
  // Only what encodeTimeCursor writes: an ISO time the database can hold (no year 0000) and an id.
  if (typeof t !== 'string' || !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(t) || t.startsWith('0000') || typeof id !== 'string' || !id || id.length > 200 || id.includes('\u0000')) throw notOurs();
  const at = new Date(t);
  if (Number.isNaN(at.getTime())) throw notOurs();
  return { at, id };
}

/** Turns `limit + 1` fetched rows into a page. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): PageResult<T> {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, hasMore, nextCursor: hasMore && data.length ? encodeCursor(keyOf(data[data.length - 1])) : null };
}
