import { describe, expect, it } from 'vitest';
import { newId, ulid } from './ids.js';

const CROCKFORD = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{26}$/;

describe('ids', () => {
  it('are prefixed ULIDs whose time part is the creation time', () => {
    const t = Date.UTC(2026, 10, 23, 12, 0, 0);
    const id = ulid(t);
    expect(id).toMatch(CROCKFORD);
    // Decode the first 10 characters back to milliseconds.
    const ms = [...id.slice(0, 10)].reduce((acc, c) => acc * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c), 0);
    expect(ms).toBeGreaterThanOrEqual(t);
    expect(newId('order')).toMatch(/^ord_[0-9A-Z]{26}$/);
  });

  it('never go backwards within a process, even in one millisecond or when the clock steps back', () => {
    const ids: string[] = [];
    const t = Date.now() + 60_000;
    for (let i = 0; i < 5000; i++) ids.push(ulid(t));
    ids.push(ulid(t - 10_000));
    for (let i = 0; i < 5000; i++) ids.push(ulid());
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spread their random part over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) for (const c of ulid().slice(10)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});
