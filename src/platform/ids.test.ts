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

  it('made in the same millisecond, do not name their neighbours', () => {
    // A cart id ±1 (or ±6) must not be another shopper's cart: within a millisecond each id adds a
    // random step of up to 2^60, so the gap to a neighbour is unknown and almost never small.
    const t = Date.now() + 120_000;
    const ids = Array.from({ length: 2000 }, () => ulid(t));
    const value = (id: string) => [...id.slice(10)].reduce((acc, c) => acc * 32n + BigInt('0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c)), 0n);
    const gaps = ids.slice(1).map((id, i) => (id.slice(0, 10) === ids[i].slice(0, 10) ? value(id) - value(ids[i]) : null)).filter((g): g is bigint => g !== null);
    expect(gaps.length).toBeGreaterThan(1900);
    // Uniform in 1..2^60: below 2^30 once in a billion, so never here.
    expect(gaps.every((g) => g > 2n ** 30n && g <= 2n ** 60n)).toBe(true);
    // The gaps differ from each other: no fixed stride to walk either.
    expect(new Set(gaps.map(String)).size).toBe(gaps.length);
  });

  it('spread their random part over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) for (const c of ulid().slice(10)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});
