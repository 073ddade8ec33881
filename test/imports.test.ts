// Imports and exports through the API: streamed uploads, progress, rejected rows with line, field
// and reason, repeatable runs, and the real data set (a committed sample of it).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryFor, titleCase, toCents } from '../src/modules/imports/online-retail.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

async function upload(kind: string, body: string | Blob, contentType: string, extra = '') {
  const res = await fetch(`${s.url}/v1/imports?kind=${kind}${extra}`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': contentType }, body });
  expect(res.status).toBe(202);
  const job = (await res.json()) as { id: string };
  return eventually(async () => {
    const j = (await s.call('GET', `/v1/imports/${job.id}`)).body;
    return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
  }, 60_000);
}

const CSV = `handle,sku,gtin,status,title_en,title_nl,category,tax_class,price,option_colour
mug-spots,MUG-R,4006381333931,active,Spotty mug,Mok met stippen,kitchen,standard,4.95,red
mug-spots,MUG-B,,active,Spotty mug,Mok met stippen,kitchen,standard,"4,95",blue
,,,,No sku here,,,,1.00,
tea-towel,TT-1,4006381333932,active,Tea towel,Theedoek,kitchen,standard,3.50,
book,BOOK-1,,active,Cook book,Kookboek,books,reduced,twelve,
dup,MUG-R,,active,Duplicate,,kitchen,standard,1.00,
`;

describe('product import', () => {
  it('takes the good rows, lists every bad one with line, field and reason', async () => {
    const job = await upload('products', CSV, 'text/csv', '&filename=products.csv');
    expect(job.status).toBe('succeeded');
    expect(job.accepted).toBe(2);
    const rej = (await s.call('GET', `/v1/imports/${job.id}/rejections`)).body.data;
    expect(rej.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
      [4, 'sku'],
      [5, 'gtin'],
      [6, 'price'],
      [7, 'sku'],
    ]);
    expect(rej[3].reason).toContain('earlier in this file');
    expect(job.rejected).toBe(4);
    const found = await s.call('GET', '/v1/products?q=spotty&channel=web&facets=true');
    const mug = found.body.data[0];
    expect(mug.title).toEqual({ en: 'Spotty mug', nl: 'Mok met stippen' });
    expect(mug.variants.map((v: { sku: string; options: object; price: { amount: number } }) => [v.sku, v.options, v.price.amount])).toEqual([
      ['MUG-R', { colour: 'red' }, 495],
      ['MUG-B', { colour: 'blue' }, 495],
    ]);
    const cats = await s.call('GET', '/v1/categories');
    expect(cats.body.data.map((c: { slug: string }) => c.slug)).toContain('kitchen');
  });

  it('runs again without duplicating, updating what changed', async () => {
    const changed = CSV.replace('Spotty mug,Mok met stippen,kitchen,standard,4.95', 'Spotty mug XL,Mok met stippen,kitchen,standard,5.95');
    const job = await upload('products', changed, 'text/csv');
    expect(job.summary).toMatchObject({ created: 0, updated: 1 });
    const found = await s.call('GET', '/v1/products?q=spotty&channel=web&facets=true');
    expect(found.body.total).toBe(1);
    expect(found.body.data[0].displayTitle).toBe('Spotty mug XL');
    expect(found.body.data[0].variants[0].price.amount).toBe(595);
  });

  it('takes NDJSON too, and reports lines that are not JSON', async () => {
    const nd = `{"sku":"LAMP-1","title_en":"Desk lamp","price":"19.99"}\nnot json\n{"sku":"LAMP-2","title_nl":"Staande lamp","handle":"floor-lamp"}\n`;
    const job = await upload('products', nd, 'application/x-ndjson');
    expect(job.accepted).toBe(2);
    const rej = (await s.call('GET', `/v1/imports/${job.id}/rejections`)).body.data;
    expect(rej).toEqual([expect.objectContaining({ line: 2, reason: expect.stringContaining('not JSON') })]);
  });

  it('exports what it imports (CSV round trip)', async () => {
    const res = await fetch(`${s.url}/v1/exports/products?format=csv`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('handle,sku,gtin,status,kind,title_en,title_nl,description_en,description_nl,category,tax_class,price');
    expect(text).toContain('mug-spots,MUG-R,4006381333931,active,physical,Spotty mug XL,Mok met stippen,,,kitchen,standard,5.95');
    const again = await upload('products', text, 'text/csv');
    expect(again.rejected).toBe(0);
    expect(again.accepted).toBe(text.trim().split('\n').length - 1);
    expect(again.summary).toMatchObject({ created: 0 });
  });

  it('refuses an upload without a file body', async () => {
    const r = await s.call('POST', '/v1/imports?kind=products', { body: { not: 'a file' } });
    expect(r.status).toBe(400);
  });
});

describe('the real data set', () => {
  it('builds products from stock codes, skipping what is not a sale and reporting non-products', async () => {
    const job = await upload('online-retail', new Blob([readFileSync('test/fixtures/online-retail-sample.csv')]), 'text/csv');
    expect(job.status).toBe('succeeded');
    expect(job.summary.skippedRows.cancelled).toBeGreaterThan(0);
    const rej = (await s.call('GET', `/v1/imports/${job.id}/rejections?limit=200`)).body.data;
    expect(rej.map((r: { value: string }) => r.value)).toEqual(expect.arrayContaining(['M']));
    const heart = await s.call('GET', '/v1/products?q=hanging heart t-light&channel=web&locale=en');
    const p = heart.body.data.find((x: { externalRef: string }) => x.externalRef === 'online-retail:85123A');
    expect(p.displayTitle).toBe('White Hanging Heart T-Light Holder');
    expect(p.variants[0].price.amount).toBe(255);
    const post = await s.call('GET', '/v1/products?q=POST&kind=service');
    expect(post.body.data.map((x: { displayTitle: string }) => x.displayTitle)).toContain('Postage');
    const typo = await s.call('GET', '/v1/products?q=chrismas&facets=true');
    expect(typo.body.total).toBeGreaterThan(0);
    expect(typo.body.data[0].displayTitle.toLowerCase()).toContain('christmas');
  });

  it('reads prices exactly and names categories by documented keyword rules', () => {
    expect(toCents('2.55')).toBe(255);
    expect(toCents('0.165')).toBe(17);
    expect(toCents('1')).toBe(100);
    expect(toCents('x')).toBeUndefined();
    expect(titleCase('WHITE HANGING HEART T-LIGHT HOLDER')).toBe('White Hanging Heart T-Light Holder');
    expect(categoryFor('SET OF 3 CAKE TINS PANTRY DESIGN').slug).toBe('kitchen-dining');
    expect(categoryFor('PAPER CHAIN KIT 50S CHRISTMAS').slug).toBe('christmas');
    expect(categoryFor('WHITE HANGING HEART T-LIGHT HOLDER').slug).toBe('candles-lights');
    expect(categoryFor('INFLATABLE POLITICAL GLOBE').slug).toBe('gifts-more');
  });
});
