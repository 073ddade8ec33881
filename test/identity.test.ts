// Identity resolution: which events belong to one person, under configurable rules, with every
// merge recorded and undoable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { normaliseIdentifier, normalisePhone } from '../src/modules/customers/identity.js';

let s: TestServer;
let pk: string;
beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'browser' } })).body.token;
});
afterAll(() => s?.close());

const batch = (events: unknown[], token = pk) => s.call('POST', '/v1/collect/batch', { token, body: { batch: events } });
const lookup = (q: string) => s.call('GET', `/v1/profiles/lookup?${q}`);
const profileOf = async (q: string) => {
  const r = await lookup(q);
  expect(r.status, `${q}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
};
const timeline = async (id: string) => (await s.call('GET', `/v1/profiles/${id}/timeline?limit=200`)).body.data as Array<{ sourceId: string; type: string }>;

describe('normalisation', () => {
  it('writes phone numbers as E.164 with the default country, and e-mails trimmed and lower-cased (dots kept)', () => {
    expect(normalisePhone('06 1234 5678', 'NL')).toBe('+31612345678');
    expect(normalisePhone('+31 (0)6-12345678', 'NL')).toBe('+31612345678');
    expect(normalisePhone('0032 470 12 34 56', 'NL')).toBe('+32470123456');
    expect(normalisePhone('0470 12 34 56', 'BE')).toBe('+32470123456');
    expect(normalisePhone('12', 'NL')).toBeNull();
    const rules = { phoneDefaultCountry: 'NL' };
    expect(normaliseIdentifier('email', '  Ann.Smit@Example.COM ', rules)).toBe('ann.smit@example.com');
    expect(normaliseIdentifier('email', 'not-an-email', rules)).toBeNull();
    expect(normaliseIdentifier('social', 'Instagram:@Ann_S', rules)).toBe('instagram:ann_s');
    expect(normaliseIdentifier('loyalty_card', '1234 5678-90', rules)).toBe('1234567890');
  });

  it('finds a profile by a phone number written another way', async () => {
    await batch([{ type: 'identify', anonymousId: 'phone-anon', traits: { phone: '06 1234 5678' }, messageId: 'ph-1' }]);
    const byPhone = await profileOf(`phone=${encodeURIComponent('+31 6 12345678')}`);
    expect(byPhone.identifiers.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`)).toEqual(expect.arrayContaining(['phone:+31612345678', 'anonymous_id:phone-anon']));
    expect((await lookup('phone=12')).status).toBe(400);
    expect((await lookup('email=nobody@example.com')).status).toBe(404);
    expect((await lookup('email=a@b.nl&phone=0612345678')).status).toBe(400);
  });
});

describe('merging', () => {
  let survivorId: string;
  let mergedId: string;

  it('merges an anonymous visitor with a signed-in customer who share an e-mail, and records why', async () => {
    await batch([
      { type: 'page', anonymousId: 'visitor-1', name: 'Home', messageId: 'm-a1', timestamp: '2026-11-01T09:00:00Z' },
      { type: 'identify', anonymousId: 'visitor-1', traits: { firstName: 'Bob', loyaltyCard: '7777 1111' }, messageId: 'm-a2', timestamp: '2026-11-01T09:01:00Z' },
      { type: 'identify', userId: 'cus_ann', anonymousId: 'laptop-ann', traits: { email: 'ann@example.com', firstName: 'Ann' }, messageId: 'm-b1', timestamp: '2026-11-02T10:00:00Z' },
      { type: 'track', userId: 'cus_ann', event: 'Product Viewed', properties: { category: 'Lamps' }, messageId: 'm-b2', timestamp: '2026-11-02T10:01:00Z' },
    ]);
    const visitor = await profileOf('anonymousId=visitor-1');
    const ann = await profileOf('customerId=cus_ann');
    expect(visitor.id).not.toBe(ann.id);

    // The visitor types the same e-mail (in another case, with spaces) into a form.
    await batch([{ type: 'identify', anonymousId: 'visitor-1', traits: { email: ' ANN@example.com ' }, messageId: 'm-a3', timestamp: '2026-11-03T08:00:00Z' }]);
    const merged = await profileOf('anonymousId=visitor-1');
    expect((await profileOf('customerId=cus_ann')).id).toBe(merged.id);
    expect((await profileOf('loyaltyCard=77771111')).id).toBe(merged.id);
    // The profile of the oldest identifier survives: the visitor was seen first.
    expect(merged.id).toBe(visitor.id);
    expect(merged.merges).toHaveLength(1);
    expect(merged.merges[0]).toMatchObject({ kind: 'merge', survivorId: visitor.id, mergedId: ann.id, identifier: { kind: 'email', value: 'ann@example.com' }, sourceId: 'collect:m-a3' });
    expect((await timeline(merged.id)).map((e) => e.sourceId).sort()).toEqual(['m-a1', 'm-a2', 'm-a3', 'm-b1', 'm-b2']);
    const old = (await s.call('GET', `/v1/profiles/${ann.id}`)).body;
    expect(old).toMatchObject({ status: 'merged', mergedInto: merged.id, identifiers: [] });
    survivorId = merged.id;
    mergedId = ann.id;
    const ev = await eventually(async () => (await s.call('GET', '/v1/events?type=profile.merged')).body.data.find((e: { data: { mergedId: string } }) => e.data.mergedId === ann.id));
    expect(ev.data).toMatchObject({ survivorId, identifier: { kind: 'email', value: 'ann@example.com' }, eventId: 'collect:m-a3' });
    expect(ev.customerId).toBe('cus_ann');
  });

  it('undoes a merge: both profiles come back with their own identifiers, events and traits, and stay apart', async () => {
    const denied = await s.call('POST', `/v1/profiles/${mergedId}/unmerge`, { token: pk, body: {} });
    expect(denied.status).toBe(403);
    const r = await s.call('POST', `/v1/profiles/${mergedId}/unmerge`, { body: { reason: 'two people' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.restored.id).toBe(mergedId);
    expect(r.body.restored.status).toBe('active');
    const keys = (p: { identifiers: Array<{ kind: string; value: string }> }) => p.identifiers.map((i) => `${i.kind}:${i.value}`).sort();
    expect(keys(r.body.restored)).toEqual(['anonymous_id:laptop-ann', 'customer_id:cus_ann', 'email:ann@example.com']);
    expect(keys(r.body.survivor)).toEqual(['anonymous_id:visitor-1', 'loyalty_card:77771111']);
    expect(r.body.restored.traits).toMatchObject({ firstName: 'Ann' });
    expect(r.body.survivor.traits).toMatchObject({ firstName: 'Bob' });
    expect((await timeline(mergedId)).map((e) => e.sourceId).sort()).toEqual(['m-a3', 'm-b1', 'm-b2']);
    expect((await timeline(survivorId)).map((e) => e.sourceId).sort()).toEqual(['m-a1', 'm-a2']);
    expect(r.body.survivor.merges[0].undoneAt).not.toBeNull();

    // New evidence joining the two again is not applied: the unmerge holds.
    await batch([{ type: 'identify', anonymousId: 'visitor-1', userId: 'cus_ann', messageId: 'm-a4' }]);
    expect((await profileOf('anonymousId=visitor-1')).id).toBe(survivorId);
    expect((await profileOf('customerId=cus_ann')).id).toBe(mergedId);
    const again = await s.call('POST', `/v1/profiles/${mergedId}/unmerge`, { body: {} });
    expect(again.status).toBe(409);
    await eventually(async () => (await s.call('GET', '/v1/events?type=profile.unmerged')).body.data.length === 1);
  });
});

describe('rules', () => {
  it('refuses invalid rules and says which field is wrong', async () => {
    const r = await s.call('PUT', '/v1/identity-rules', { body: { maxPerProfile: { customer_id: 0 }, phoneDefaultCountry: 'XX' } });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['/maxPerProfile/customer_id', '/phoneDefaultCountry']);
    expect((await s.call('PUT', '/v1/identity-rules', { token: pk, body: {} })).status).toBe(403);
  });

  it('never uses blocked values such as the shop\'s test e-mail or card "0000"', async () => {
    const cur = await s.call('GET', '/v1/identity-rules');
    const put = await s.call('PUT', '/v1/identity-rules', { body: { blocked: { ...cur.body.rules.blocked, email: ['Test@Winkel.example'] } }, headers: { 'if-match': `"${cur.body.version}"` } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.rules.blocked.email).toEqual(['test@winkel.example']);
    const stale = await s.call('PUT', '/v1/identity-rules', { body: {}, headers: { 'if-match': `"${cur.body.version}"` } });
    expect(stale.status).toBe(412);
    await batch([
      { type: 'identify', anonymousId: 'till-test-1', traits: { email: 'test@winkel.example', loyaltyCard: '0000' }, messageId: 'bl-1' },
      { type: 'identify', anonymousId: 'till-test-2', traits: { email: 'TEST@winkel.example', loyaltyCard: '0000' }, messageId: 'bl-2' },
    ]);
    const a = await profileOf('anonymousId=till-test-1');
    const b = await profileOf('anonymousId=till-test-2');
    expect(a.id).not.toBe(b.id);
    expect(a.identifiers.map((i: { kind: string }) => i.kind)).toEqual(['anonymous_id']);
    expect((await lookup('email=test@winkel.example')).status).toBe(404);
  });

  it('does not merge through an anonymous id shared by more people than the limit (a kiosk), and splits what it had joined', async () => {
    await s.call('PUT', '/v1/identity-rules', { body: { anonymousIdMaxUsers: 2 } });
    await batch([
      { type: 'identify', anonymousId: 'kiosk-7', traits: { email: 'k1@example.com' }, messageId: 'k-1', timestamp: '2026-11-10T10:00:00Z' },
      { type: 'identify', anonymousId: 'kiosk-7', traits: { email: 'k2@example.com' }, messageId: 'k-2', timestamp: '2026-11-10T11:00:00Z' },
    ]);
    // Two people on one device are within the limit: joined.
    expect((await profileOf('email=k1@example.com')).id).toBe((await profileOf('email=k2@example.com')).id);
    await batch([{ type: 'identify', anonymousId: 'kiosk-7', traits: { email: 'k3@example.com' }, messageId: 'k-3', timestamp: '2026-11-10T12:00:00Z' }]);
    const p1 = await profileOf('email=k1@example.com');
    const p2 = await profileOf('email=k2@example.com');
    const p3 = await profileOf('email=k3@example.com');
    expect(new Set([p1.id, p2.id, p3.id]).size).toBe(3);
    // Each person's own identify stays with them; the split is recorded.
    expect((await timeline(p2.id)).map((e) => e.sourceId)).toEqual(['k-2']);
    expect([...p1.merges, ...p2.merges].some((m: { kind: string }) => m.kind === 'split')).toBe(true);
    await s.call('PUT', '/v1/identity-rules', { body: { anonymousIdMaxUsers: 5 } });
  });

  it('keeps at most one account id per profile: two accounts on one laptop stay two people', async () => {
    await batch([
      { type: 'page', anonymousId: 'family-laptop', name: 'Home', messageId: 'f-0', timestamp: '2026-11-11T08:00:00Z' },
      { type: 'identify', anonymousId: 'family-laptop', userId: 'cus_mum', messageId: 'f-1', timestamp: '2026-11-11T09:00:00Z' },
      { type: 'identify', anonymousId: 'family-laptop', userId: 'cus_son', messageId: 'f-2', timestamp: '2026-11-11T10:00:00Z' },
      { type: 'track', anonymousId: 'family-laptop', userId: 'cus_son', event: 'Product Viewed', messageId: 'f-3', timestamp: '2026-11-11T10:05:00Z' },
    ]);
    const mum = await profileOf('customerId=cus_mum');
    const son = await profileOf('customerId=cus_son');
    expect(mum.id).not.toBe(son.id);
    expect((await profileOf('anonymousId=family-laptop')).id).toBe(mum.id);
    expect((await timeline(son.id)).map((e) => e.sourceId).sort()).toEqual(['f-2', 'f-3']);
    expect((await timeline(mum.id)).map((e) => e.sourceId).sort()).toEqual(['f-0', 'f-1']);
  });

  it('applies an event twice without changing anything', async () => {
    const before = await profileOf('customerId=cus_son');
    await batch([{ type: 'track', anonymousId: 'family-laptop', userId: 'cus_son', event: 'Product Viewed', messageId: 'f-3', timestamp: '2026-11-11T10:05:00Z' }]);
    const after = await profileOf('customerId=cus_son');
    expect(after.eventCount).toBe(before.eventCount);
    expect(after.identifiers).toEqual(before.identifiers);
  });
});
