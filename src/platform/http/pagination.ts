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

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {}
  throw badRequest('The cursor is not one this API handed out; pass `nextCursor` from the previous page unchanged.', [
    { field: '/cursor', message: 'not a valid cursor' },
  ]);
}

/** Turns `limit + 1` fetched rows into a page. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): PageResult<T> {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, hasMore, nextCursor: hasMore && data.length ? encodeCursor(keyOf(data[data.length - 1])) : null };
}
