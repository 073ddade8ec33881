// Gift cards: issued with a code shown once (never stored, masked in lists), looked up by code,
// redeemed and reloaded through one append-only ledger whose sum is always the balance, also when
// many tills redeem the same card at once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
});
afterAll(() => s?.close());

const ledgerSum = async (id: string) => (await s.winkel.db.execute<{ sum: number }>(sql`select coalesce(sum(amount), 0)::int as sum from gift_card_ledger where gift_card_id = ${id}`)).rows[0].sum;

describe('gift cards', () => {
  it('issues a card whose code is shown once, kept only as a hash, and masked in lists', async () => {
    const r = await s.call('POST', '/v1/gift-cards', { body: { amount: 5000 } });
    expect(r.status).toBe(201);
    expect(r.body.code).toMatch(/^GC(-[A-Z2-9]{4}){4}$/);
    const { giftCard, code } = r.body;
    expect(giftCard).toMatchObject({ balance: 5000, initialAmount: 5000, status: 'active', maskedCode: `GC-••••-••••-••••-${code.slice(-4)}` });
    const stored = (await s.winkel.db.execute(sql`select * from gift_cards where id = ${giftCard.id}`)).rows[0];
    expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, '').slice(2, 14));
    const list = await s.call('GET', '/v1/gift-cards');
    expect(JSON.stringify(list.body)).not.toContain(code);
    expect(list.body.data.find((g: { id: string }) => g.id === giftCard.id).maskedCode).toBe(giftCard.maskedCode);
    // A second card gets another code.
    expect((await s.call('POST', '/v1/gift-cards', { body: { amount: 100 } })).body.code).not.toBe(code);
  });

  it('tells a shopper the balance by code, and nothing for a wrong one', async () => {
    const { code, giftCard } = (await s.call('POST', '/v1/gift-cards', { body: { amount: 2500 } })).body;
    const r = await s.call('POST', '/v1/gift-cards/balance', { token: pk, body: { code: code.toLowerCase().replace(/-/g, ' ') } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: giftCard.id, balance: 2500 });
    expect((await s.call('POST', '/v1/gift-cards/balance', { token: pk, body: { code: 'GC-AAAA-BBBB-CCCC-DDDD' } })).status).toBe(404);
  });

  it('redeems, refuses to go below zero, reloads, and can be disabled; the ledger always sums to the balance', async () => {
    const { code, giftCard } = (await s.call('POST', '/v1/gift-cards', { body: { amount: 1000 } })).body;
    const redeem = (amount: number) => s.call('POST', '/v1/gift-cards/redeem', { body: { code, amount, reference: 'till-1' } });
    expect((await redeem(400)).body.giftCard.balance).toBe(600);
    const over = await redeem(700);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'insufficient_balance', balance: 600 });
    const reload = await s.call('POST', `/v1/gift-cards/${giftCard.id}/reload`, { body: { amount: 900 } });
    expect(reload.body.giftCard.balance).toBe(1500);
    expect(reload.body.entries.map((e: { kind: string; amount: number; balanceAfter: number }) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['reload', 900, 1500],
      ['redeem', -400, 600],
      ['issue', 1000, 1000],
    ]);
    expect(await ledgerSum(giftCard.id)).toBe(1500);
    expect((await s.call('PATCH', `/v1/gift-cards/${giftCard.id}`, { body: { status: 'disabled' } })).status).toBe(200);
    expect((await redeem(100)).body.code).toBe('gift_card_disabled');
    expect((await s.call('POST', '/v1/gift-cards/redeem', { body: { code: 'GC-2222-3333-4444-5555', amount: 1 } })).body.code).toBe('unknown_gift_card');
  });

  it('never goes below zero when 30 tills redeem one card at once', async () => {
    const { code, giftCard } = (await s.call('POST', '/v1/gift-cards', { body: { amount: 1000 } })).body;
    const results = await Promise.all(Array.from({ length: 30 }, () => s.call('POST', '/v1/gift-cards/redeem', { body: { code, amount: 70 } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(14);
    expect(results.filter((r) => r.status === 409)).toHaveLength(16);
    const detail = (await s.call('GET', `/v1/gift-cards/${giftCard.id}`)).body;
    expect(detail.giftCard.balance).toBe(20);
    expect(await ledgerSum(giftCard.id)).toBe(20);
  });

  it('lets only staff issue cards', async () => {
    expect((await s.call('POST', '/v1/gift-cards', { token: pk, body: { amount: 1000 } })).status).toBe(403);
  });
});
