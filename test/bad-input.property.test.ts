// Bad input to every operation of the OpenAPI document, generated from the document itself (so new
// operations are covered as they are added), as every kind of caller: no credential, a publishable
// key, a customer session, staff of a store-scoped role, an admin, and a secret key of each scope.
//
// Phase 1 sends requests that each break the operation's contract at least once (a wrong type, a
// missing or unknown field, a string over its maxLength such as 100,000 characters, a number past
// its bounds or 1e309, a NUL or a lone surrogate, a value outside its enum or format, broken JSON, a
// `__proto__` or `constructor` key, the wrong content type, an odd path or query value, an id that
// does not exist), around otherwise plausible values full of SQL and script injection, control
// characters and unicode. Every answer must be a 4xx problem document (application/problem+json,
// a `code`, a `requestId` equal to X-Request-Id), and the database must not change.
//
// Phase 2 sends requests the document allows, with the same hostile values in them and real ids
// in their paths: no answer may be a 5xx, and a refusal (4xx) must be a problem document that
// changed nothing.
//
// "Changed nothing" is checked on the content of every application table (row count and a hash
// of its rows as text), looked at whenever a transaction id was used since the last look, and
// hashed again only for the tables whose row count or newest row version (xmin) moved; a request
// that wrote a row and then restored it changed nothing. Not part of it:
// - `api_keys.last_used_at`: when a key was last used, recorded (at most once a minute) for any
//   request that presents it, refused or not;
// - `idempotency_keys`: a request with an Idempotency-Key that got past validation stores its
//   answer, a 4xx too, so that a retry gets the same answer (docs/API.md); it records the answer,
//   it changes no data.
// Background work (relay, senders, jobs) is off in this server, so only requests change anything.
//
// The seed is printed; BAD_INPUT_SEED=<seed> repeats a run. BAD_INPUT_RUNS (default 8) and
// BAD_INPUT_VALID_RUNS (default 8) set the requests per operation and permitted caller;
// BAD_INPUT_DEBUG=1 prints why each request of phase 2 was refused (to see how deep it gets).
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const SEED = Number(process.env.BAD_INPUT_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 8);
const VALID_RUNS = Number(process.env.BAD_INPUT_VALID_RUNS ?? 8);

type Schema = Record<string, any>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: Array<Record<string, string[]>>;
}
interface Op {
  key: string;
  method: string;
  template: string;
  op: Operation;
  path: Parameter[];
  query: Parameter[];
  body?: Schema;
}
interface Caller {
  name: string;
  scheme: 'none' | 'staffSession' | 'secretKey' | 'publishableKey' | 'customerSession';
  token: string | null;
  permissions: Set<string>;
}
/** A request as generated; `raw` values go into the URL or body text as they are. */
interface Req {
  method: string;
  template: string;
  params: Record<string, { value: string; raw?: boolean }>;
  query: Array<[string, string, boolean?]>;
  headers: Record<string, string>;
  body?: unknown;
  text?: string;
  contentType?: string;
  why: string;
}
interface Answer {
  status: number;
  contentType: string;
  body: any;
  requestId: string | null;
}

let s: TestServer;
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const ops: Op[] = [];
let pgc: pg.Client;
const callers: Caller[] = [];
const fuzz: { admin?: Caller; customer?: Caller; adminEmail: string; adminPassword: string; customerEmail: string } = {
  adminEmail: 'fuzz-admin@bad-input.example',
  adminPassword: 'fuzz-admin-password-1',
  customerEmail: 'fuzz-customer@bad-input.example',
};
/** Ids that requests may name in their paths: made by the seed and by phase 2, never a caller's own. */
const pool: string[] = [];
/** SKUs seen in answers, for fields named sku. */
const skus: string[] = [];
const listIds = new Map<string, string[]>();
const protectedIds = new Set<string>();
const failures: string[] = [];
const stats = { sent: 0, byStatus: new Map<string, number>(), fingerprints: 0, fingerprintMs: 0 };

// ---------------------------------------------------------------- values

const HOSTILE = [
  "' OR '1'='1",
  "'; DROP TABLE products; --",
  '1) UNION SELECT password_hash FROM staff_users --',
  "1' AND pg_sleep(0) IS NULL --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  'Zoë 😀 日本語 עברית',
  '\u202egnp.exe',
  'zero\u200bwidth\ufeff',
  '\u0007\u001b[31mred\u001b[0m\u0008',
  'tab\there\nnew line\r\n',
  ' ',
  'null',
  'undefined',
  'NaN',
  '-1',
  '9'.repeat(40),
  '__proto__',
  'constructor',
  '%00',
  '\\u0000',
  '$where',
  'SELECT',
];
const HOSTILE_PATH = ["' OR 1=1 --", 'Zoë😀', '-1', '0', 'Infinity', '1e309', 'NaN', 'null', '__proto__', 'constructor', 'x'.repeat(90), 'a b', 'ünï'];
// (No %2E%2E: a URL parser makes a dot segment of it and the request goes to the parent path.)
const RAW_PATH = ['..%2F..%2Fetc', '%C0%AE', '%E2%80%AE', '..;', '%20'];
const ID_LIKE = /^[a-z]{2,8}_[0-9A-Z]{26}$/;

const resolve = (schema: Schema | undefined): Schema => {
  let s = schema ?? {};
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) s = doc.components.schemas[s.$ref.split('/').pop()!] ?? {};
  return s;
};
const typesOf = (schema: Schema): string[] => ([] as string[]).concat(schema.type ?? []);
const branches = (schema: Schema): Schema[] | undefined => schema.anyOf ?? schema.oneOf;

/** Strings a schema takes: hostile ones where it allows them, else ones that fit its format or pattern. */
function stringArb(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 500;
  const fits = (v: string) => [...v].length >= min && [...v].length <= max && !v.includes('\u0000');
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  const formats: Record<string, string[]> = {
    'date-time': ['2026-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59Z', '2026-06-30T12:00:00+14:00', '2000-02-29T00:00:00Z'],
    date: ['2026-01-01', '1970-01-01', '9999-12-31'],
    email: ['shopper@example.com', "o'brien+test@example.com", 'a@b.co', `${'x'.repeat(60)}@example.com`],
    uri: ['http://127.0.0.1:9/hook', "http://127.0.0.1:9/a?b=c&d='1'"],
    uuid: ['00000000-0000-0000-0000-000000000000', '123e4567-e89b-12d3-a456-426614174000'],
    time: ['00:00:00Z', '23:59:59+01:00'],
  };
  if (schema.format && formats[schema.format]) return fc.constantFrom(...formats[schema.format].filter(fits).concat(formats[schema.format][0]));
  if (schema.pattern) {
    const re = new RegExp(schema.pattern, 'u');
    try {
      return fc.stringMatching(re).filter((v) => fits(v) && re.test(v));
    } catch {
      return fc.constant('x');
    }
  }
  const options: fc.Arbitrary<string>[] = [fc.constantFrom(...HOSTILE.filter(fits)), fc.string({ minLength: min, maxLength: Math.min(max, 30), unit: 'grapheme' })];
  // At the limit, up to 100,000 characters (an upload's limit is a gigabyte: not worth building).
  const atLimit = Math.min(max, 100_000);
  if (max >= 1) options.push(fc.constantFrom('x'.repeat(atLimit), '😀'.repeat(atLimit), 'é'.repeat(Math.max(min, Math.min(max, 300)))).filter(fits));
  return fc.oneof(...options.filter(Boolean)).filter(fits);
}

function numberArb(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : -1e6);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : 1e6);
  if (integer) {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: lo, max: Math.min(hi, lo + 10) }) }, fc.constantFrom(lo, hi, Math.max(lo, Math.min(hi, 0))), fc.integer({ min: lo, max: hi }));
  }
  return fc.oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
}

/** Free JSON where a schema says nothing (event properties, attributes): hostile text, some nesting. */
const freeJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({}),
  fc.dictionary(fc.constantFrom('a', 'note', 'x-y', 'ünï', '$ref', 'constructor', 'toString'), fc.oneof(fc.constantFrom(...HOSTILE), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
  fc.constant({ nested: { deeper: [1, 'two', { three: HOSTILE[0] }] } }),
);

/** Known values for fields named like them: ids (`…Id`, `…Ids`) and SKUs, so requests reach real things. */
function knownFor(name: string | undefined): string[] {
  if (!name) return [];
  if (/Ids?$/.test(name) || name === 'id') return pool;
  if (/^skus?$/i.test(name)) return skus;
  return [];
}

/** A value the schema allows (ids and amounts aside), full of hostile text. */
function validArb(schemaIn: Schema | undefined, depth = 0, name?: string): fc.Arbitrary<unknown> {
  const schema = resolve(schemaIn);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = branches(schema);
  if (alts) return fc.oneof(...alts.map((b) => validArb(b, depth + 1, name)));
  if (schema.allOf) return validArb(schema.allOf[0], depth + 1, name);
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((t) => validArb({ ...schema, type: t }, depth + 1, name)));
  switch (types[0]) {
    case 'string': {
      const known = knownFor(name).filter((v) => v.length <= (schema.maxLength ?? 500) && (!schema.pattern || new RegExp(schema.pattern, 'u').test(v)));
      return known.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, stringArb(schema)) : stringArb(schema);
    }
    case 'integer':
      return numberArb(schema, true);
    case 'number':
      return numberArb(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      return depth > 6 ? fc.constant([]) : fc.array(validArb(schema.items, depth + 1, name), { minLength, maxLength });
    }
    case 'object': {
      if (depth > 6) return fc.constant({});
      const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
      const required = new Set<string>(schema.required ?? []);
      if (!props.length) {
        if (schema.patternProperties) {
          // Keys of the pattern (a weekday, a locale), each with a value of its schema.
          const [pattern, value] = Object.entries(schema.patternProperties as Record<string, Schema>)[0];
          const keys = fc.stringMatching(new RegExp(pattern, 'u')).filter((k) => k.length <= 40);
          return fc.dictionary(keys, validArb(value, depth + 1), { maxKeys: 2 });
        }
        return typeof schema.additionalProperties === 'object' ? fc.dictionary(fc.constantFrom('a', 'b', 'mon'), validArb(schema.additionalProperties, depth + 1), { maxKeys: 2 }) : freeJson;
      }
      const need = schema.minProperties ?? 0;
      return fc
        .record(Object.fromEntries(props.map(([k, v]) => [k, validArb(v, depth + 1, k)])), { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) })
        .map((o) => {
          // minProperties: fill from the optional ones until there are enough.
          for (const [k] of props) if (Object.keys(o).length < need && !(k in o)) Object.assign(o, { [k]: undefined });
          return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
        })
        .filter((o) => Object.keys(o).length >= need);
    }
    default:
      return freeJson;
  }
}

// ---------------------------------------------------------------- breaking a request

/** A place in a body value with the schema that describes it. */
interface Site {
  at: Array<string | number>;
  schema: Schema;
  value: unknown;
}

/** The places of a body value whose schema is plain (unions only where all but null drop out). */
function sitesOf(value: unknown, schemaIn: Schema | undefined, at: Array<string | number> = [], out: Site[] = []): Site[] {
  let schema = resolve(schemaIn);
  const alts = branches(schema);
  if (alts) {
    const real = alts.map(resolve).filter((b) => !(b.type === 'null'));
    if (real.length !== 1 || value === null) {
      out.push({ at, schema, value });
      return out;
    }
    schema = real[0];
  }
  if (!schema.type && !schema.properties) return out; // free JSON: anything goes
  out.push({ at, schema, value });
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => sitesOf(v, schema.items, [...at, i], out));
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined) ?? Object.values(schema.patternProperties ?? {})[0];
      if (sub) sitesOf(v, sub as Schema, [...at, k], out);
    }
  }
  return out;
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
function setAt(root: unknown, at: Array<string | number>, value: unknown): unknown {
  if (!at.length) return value;
  const copy = clone(root) as any;
  let cur = copy;
  for (const k of at.slice(0, -1)) cur = cur[k];
  cur[at[at.length - 1]] = value;
  return copy;
}
function deleteAt(root: unknown, at: Array<string | number>, key: string): unknown {
  const copy = clone(root) as any;
  let cur = copy;
  for (const k of at) cur = cur[k];
  delete cur[key];
  return copy;
}

/** Raw JSON text for a value that JSON.stringify cannot write (1e309, a lone surrogate). */
class Raw {
  constructor(readonly text: string) {}
}
function toText(body: unknown): string {
  const raws: string[] = [];
  const json = JSON.stringify(body, (_k, v) => (v instanceof Raw ? `@@raw${raws.push(v.text) - 1}@@` : v));
  return json.replace(/"@@raw(\d+)@@"/g, (_m, i: string) => raws[Number(i)]);
}

/** A value no coercion turns into something the schema takes. */
function wrongTypeFor(schema: Schema): unknown | undefined {
  const all = (branches(schema) ?? [schema]).map(resolve);
  if (all.some((b) => !b.type && !b.enum && b.const === undefined && !b.properties)) return undefined; // takes anything
  const objecty = all.some((b) => typesOf(b).includes('object') || b.properties);
  const stringy = all.some((b) => typesOf(b).includes('string') || typeof b.const === 'string' || b.enum?.some((e: unknown) => typeof e === 'string'));
  const arrayish = all.some((b) => typesOf(b).includes('array'));
  if (!objecty) return { w: 1 };
  if (!stringy && !arrayish) return 'x';
  if (!arrayish && !stringy) return 7;
  return undefined;
}

type Breaker = (base: Req) => fc.Arbitrary<Req>;

/** The ways of breaking one operation's requests, each sure to make the request invalid. */
function breakersFor(o: Op, baseBody: unknown): Breaker[] {
  const out: Breaker[] = [];
  const bodyMethod = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(o.method);
  if (bodyMethod) {
    out.push((b) => fc.constantFrom('{"a":', "{'a':1}", '[', '{"a":1}}', 'nul', '{"a":"\u0000"', '\u0000').map((text) => ({ ...b, body: undefined, text, contentType: 'application/json', why: `broken JSON ${JSON.stringify(text)}` })));
    out.push((b) => fc.constant({ ...b, body: undefined, text: '<a>1</a>', contentType: 'application/xml', why: 'XML body' }));
    out.push((b) =>
      fc.constantFrom('{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"a":{"__proto__":{"x":1}}}').map((text) => ({ ...b, body: undefined, text, contentType: 'application/json', why: `prototype poisoning ${text}` })),
    );
  }
  for (const p of o.path) {
    out.push((b) =>
      fc.oneof(
        fc.constantFrom(...HOSTILE_PATH).map((value) => ({ value, raw: false })),
        fc.constantFrom(...RAW_PATH).map((value) => ({ value, raw: true })),
        fc.integer({ min: 101, max: 3000 }).map((n) => ({ value: 'y'.repeat(n), raw: false })),
        fc.constant({ value: 'a\u0000b', raw: false }),
        fc.constant({ value: '%zz', raw: true }),
      ).map((v) => ({ ...b, params: { ...b.params, [p.name]: v }, why: `path ${p.name}=${v.value.slice(0, 40)}${v.value.length > 40 ? `… (${v.value.length})` : ''}` })),
    );
  }
  for (const p of o.query) {
    const schema = resolve(p.schema);
    const bad: string[] = ['a\u0000b'];
    const t = typesOf(schema);
    if (t.includes('integer') || t.includes('number')) bad.push('abc', '1e309', 'Infinity', '-Infinity', 'NaN', '{}');
    if (t.includes('integer')) bad.push('1.5');
    if (schema.maximum !== undefined) bad.push(String(schema.maximum + 1), '1e300');
    if (schema.minimum !== undefined) bad.push(String(schema.minimum - 1), '-1e300');
    if (t.includes('boolean')) bad.push('maybe', '2');
    if (schema.enum) bad.push('not-one-of-them');
    if (t.includes('string') && schema.maxLength !== undefined && schema.maxLength < 8000) bad.push('q'.repeat(schema.maxLength + 1));
    if (t.includes('string') && schema.minLength) bad.push('');
    if (schema.format === 'date-time') bad.push('0000-01-01T00:00:00Z', 'yesterday', '2026-02-30T00:00:00Z');
    if (p.name === 'cursor') bad.push('junk', Buffer.from('{"t":"0000-01-01T00:00:00Z","id":"x"}').toString('base64url'), Buffer.from('[]').toString('base64url'));
    out.push((b) => fc.constantFrom(...bad).map((v) => ({ ...b, query: [...b.query.filter(([k]) => k !== p.name), [p.name, v] as [string, string]], why: `query ${p.name}=${JSON.stringify(v.slice(0, 40))}` })));
    // A lone surrogate, and bytes that are not UTF-8 at all, as a client could put them in a URL.
    out.push((b) => fc.constantFrom('%ED%A0%80', 'a%00b').map((v) => ({ ...b, query: [...b.query.filter(([k]) => k !== p.name), [p.name, v, true] as [string, string, boolean]], why: `query ${p.name}=${v}` })));
    if (p.required) out.push((b) => fc.constant({ ...b, query: b.query.filter(([k]) => k !== p.name), why: `query ${p.name} missing` }));
  }
  if (o.body && baseBody !== undefined) {
    const root = resolve(o.body);
    const sites = sitesOf(baseBody, o.body);
    const pick = <T>(list: T[]) => fc.integer({ min: 0, max: list.length - 1 }).map((i) => list[i]);
    const body = (b: Req, value: unknown, why: string): Req => ({ ...b, body: value, text: undefined, contentType: 'application/json', why });
    const wrong = sites.filter((x) => wrongTypeFor(x.schema) !== undefined);
    if (wrong.length) out.push((b) => pick(wrong).map((x) => body(b, setAt(b.body, x.at, wrongTypeFor(x.schema)), `wrong type at /${x.at.join('/')}`)));
    const strings = sites.filter((x) => typesOf(x.schema).includes('string') && !branches(x.schema));
    if (strings.length) {
      out.push((b) => pick(strings).map((x) => body(b, setAt(b.body, x.at, `before\u0000after`), `NUL at /${x.at.join('/')}`)));
      out.push((b) => pick(strings).map((x) => body(b, setAt(b.body, x.at, new Raw('"half \\ud83d character"')), `lone surrogate at /${x.at.join('/')}`)));
    }
    // Past a text's limit (an upload's limit, a gigabyte, is left to the upload's own tests).
    const limited = strings.filter((x) => x.schema.maxLength !== undefined && x.schema.maxLength < 1_000_000);
    if (limited.length) out.push((b) => pick(limited).map((x) => body(b, setAt(b.body, x.at, 'L'.repeat(Math.max(100_000, x.schema.maxLength + 1))), `${Math.max(100_000, x.schema.maxLength + 1)} characters at /${x.at.join('/')}`)));
    const enums = sites.filter((x) => x.schema.enum || x.schema.const !== undefined);
    if (enums.length) out.push((b) => pick(enums).map((x) => body(b, setAt(b.body, x.at, 'not-one-of-them'), `not in enum at /${x.at.join('/')}`)));
    const formatted = strings.filter((x) => ['date-time', 'date', 'email', 'uri'].includes(x.schema.format));
    if (formatted.length) {
      const badFormat: Record<string, string[]> = { 'date-time': ['0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-12-31T23:59:60Z', 'yesterday'], date: ['0000-01-01', '2026-02-30'], email: ['not an e-mail', 'a@'], uri: ['not a uri', '::'] };
      out.push((b) => pick(formatted).chain((x) => fc.constantFrom(...badFormat[x.schema.format]).map((v) => body(b, setAt(b.body, x.at, v), `format ${x.schema.format} ${v} at /${x.at.join('/')}`))));
    }
    const patterned = strings.filter((x) => x.schema.pattern && !x.schema.format && !new RegExp(x.schema.pattern, 'u').test('!?'));
    if (patterned.length) out.push((b) => pick(patterned).map((x) => body(b, setAt(b.body, x.at, '!?'), `pattern ${x.schema.pattern} at /${x.at.join('/')}`)));
    const numbers = sites.filter((x) => (typesOf(x.schema).includes('integer') || typesOf(x.schema).includes('number')) && !branches(x.schema));
    if (numbers.length) {
      out.push((b) =>
        pick(numbers).chain((x) => {
          const beyond: unknown[] = [new Raw('1e309'), new Raw('-1e309')];
          if (x.schema.maximum !== undefined) beyond.push(x.schema.maximum + 1, 1e308, 2 ** 53 + 2);
          if (x.schema.minimum !== undefined) beyond.push(x.schema.minimum - 1, -1e308);
          if (typesOf(x.schema).includes('integer')) beyond.push(1.5);
          return fc.constantFrom(...beyond.filter((v) => typeof v !== 'number' || v > (x.schema.maximum ?? Infinity) || v < (x.schema.minimum ?? -Infinity) || !Number.isInteger(v))).map((v) => body(b, setAt(b.body, x.at, v), `number ${v instanceof Raw ? v.text : v} at /${x.at.join('/')}`));
        }),
      );
    }
    const objects = sites.filter((x) => x.schema.properties && !branches(x.schema) && x.value && typeof x.value === 'object' && !Array.isArray(x.value));
    const closed = objects.filter((x) => x.schema.additionalProperties === false);
    if (closed.length) {
      out.push((b) =>
        fc.tuple(pick(closed), fc.constantFrom('unexpected', 'constructor', 'toString', 'hasOwnProperty', 'isAdmin', ' ', 'a\u0000b')).map(([x, k]) => {
          const value = clone(b.body) as any;
          let cur = value;
          for (const seg of x.at) cur = cur[seg];
          cur[k] = HOSTILE[0];
          return body(b, value, `unknown field ${JSON.stringify(k)} at /${x.at.join('/')}`);
        }),
      );
    }
    const missing = objects.flatMap((x) => ((x.schema.required ?? []) as string[]).filter((k) => resolve(x.schema.properties[k]).default === undefined).map((k) => ({ ...x, key: k })));
    if (missing.length) out.push((b) => pick(missing).map((x) => body(b, deleteAt(b.body, x.at, x.key), `missing /${[...x.at, x.key].join('/')}`)));
    const arrays = sites.filter((x) => typesOf(x.schema).includes('array') && !branches(x.schema) && Array.isArray(x.value));
    const tooMany = arrays.filter((x) => x.schema.maxItems !== undefined && x.schema.maxItems <= 1000);
    if (tooMany.length) {
      out.push((b) =>
        pick(tooMany).chain((x) =>
          validArb(x.schema.items).map((item) => body(b, setAt(b.body, x.at, Array.from({ length: x.schema.maxItems + 1 }, () => item)), `${x.schema.maxItems + 1} items at /${x.at.join('/')}`)),
        ),
      );
    }
    const tooFew = arrays.filter((x) => (x.schema.minItems ?? 0) > 0);
    if (tooFew.length) out.push((b) => pick(tooFew).map((x) => body(b, setAt(b.body, x.at, []), `no items at /${x.at.join('/')}`)));
    if (typesOf(root).includes('object') || root.properties) out.push((b) => fc.constantFrom<unknown>('a string', 42, [], null, true).map((v) => body(b, v, `body ${JSON.stringify(v)}`)));
  }
  return out;
}

/** Headers a caller might send anyway: none of them may turn a refusal into a 5xx. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'idempotency-key': fc.constantFrom('k-1', 'x'.repeat(300), 'ünïcode', ' '),
    'if-match': fc.constantFrom('"1"', 'W/"2"', 'garbage', '"99999999999999999999"', '*'),
    'x-request-id': fc.constantFrom('short', `req_${'z'.repeat(100)}`, '../etc', 'fine-request-id-1'),
    accept: fc.constantFrom('text/html', 'application/xml', '*/*'),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------- sending and checking

function urlOf(r: Req): string {
  let path = r.template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = r.params[name];
    return v.raw ? v.value : encodeURIComponent(v.value);
  });
  if (r.query.length) path += `?${r.query.map(([k, v, raw]) => `${encodeURIComponent(k)}=${raw ? v : encodeURIComponent(v)}`).join('&')}`;
  return path;
}

async function send(r: Req, caller: Caller): Promise<Answer> {
  const headers: Record<string, string> = { ...r.headers };
  if (caller.token) headers.authorization = `Bearer ${caller.token}`;
  let body: string | undefined;
  if (r.text !== undefined) body = r.text;
  else if (r.body !== undefined) body = toText(r.body);
  if (body !== undefined) headers['content-type'] = r.contentType ?? 'application/json';
  stats.sent++;
  let res: Response;
  const started = Date.now();
  try {
    res = await fetch(s.url + urlOf(r), { method: r.method, headers, body });
    // eslint-disable-next-line no-console
    if (Date.now() - started > 3000) console.info(`bad input: slow answer (${Date.now() - started} ms, ${res.status}) to ${describeReq(r, caller)}`);
  } catch (err) {
    return { status: 0, contentType: '', body: String((err as Error).cause ?? err), requestId: null };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  const key = `${res.status}`;
  stats.byStatus.set(key, (stats.byStatus.get(key) ?? 0) + 1);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed, requestId: res.headers.get('x-request-id') };
}

const describeReq = (r: Req, caller: Caller) => {
  const body = r.text ?? (r.body === undefined ? '' : toText(r.body));
  return `${r.method} ${urlOf(r).slice(0, 200)} as ${caller.name} [${r.why}]${body ? ` body ${body.slice(0, 300)}${body.length > 300 ? `… (${body.length} characters)` : ''}` : ''}`;
};

/**
 * What is wrong with a refusal, if anything: it must be a problem document with a code and a request
 * id. Only a request that asked for HTML (Accept: text/html) may get a page instead, as the pages
 * people open from an e-mail (an unsubscribe link) give.
 */
function problemFault(a: Answer, r: Req): string | undefined {
  if (r.headers.accept === 'text/html' && a.contentType.startsWith('text/html')) return undefined;
  if (!a.contentType.startsWith('application/problem+json')) return `content type ${a.contentType || '(none)'}`;
  if (!a.body || typeof a.body !== 'object') return 'no JSON body';
  if (typeof a.body.code !== 'string' || !a.body.code) return 'no code';
  if (typeof a.body.requestId !== 'string' || !a.body.requestId) return 'no requestId';
  if (a.requestId !== a.body.requestId) return `X-Request-Id ${a.requestId} is not the requestId ${a.body.requestId}`;
  if (a.body.status !== a.status) return `status ${a.body.status} in the body`;
  return undefined;
}

// ---- the database's fingerprint

async function nextXid(): Promise<string> {
  return (await pgc.query<{ x: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as x')).rows[0].x;
}

/** Per table: the columns its content hash covers (all but the ones left out above). */
const hashed = new Map<string, string[]>();

async function readTables() {
  const skipTables = new Set(['idempotency_keys']);
  const skipColumns = new Set(['api_keys.last_used_at']);
  const cols = await pgc.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
  );
  for (const r of cols.rows) {
    if (skipTables.has(r.table_name)) continue;
    const kept = hashed.get(r.table_name) ?? [];
    if (!skipColumns.has(`${r.table_name}.${r.column_name}`)) kept.push(`"${r.column_name}"`);
    hashed.set(r.table_name, kept);
  }
}

/**
 * Every table's row count and newest row version (`xmin`, the transaction that wrote it): cheap,
 * and moved by any insert, update or delete, also one that wrote back what was there.
 */
async function signatures(): Promise<Map<string, string>> {
  stats.fingerprints++;
  const started = Date.now();
  const sqlText = [...hashed.keys()].map((t) => `select '${t}' as t, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text as f from "${t}"`).join('\nunion all\n');
  const r = await pgc.query<{ t: string; f: string }>(sqlText);
  stats.fingerprintMs += Date.now() - started;
  return new Map(r.rows.map((x) => [x.t, x.f]));
}

/** The content of some tables: the hash of their rows as text (without the columns left out). */
async function contents(tables: string[]): Promise<Map<string, string>> {
  if (!tables.length) return new Map();
  const started = Date.now();
  const sqlText = tables
    .map((t) => `select '${t}' as t, count(*)::text || ':' || coalesce(md5(string_agg(h, '' order by h)), '') as f from (select md5(row(${hashed.get(t)!.join(', ')})::text) as h from "${t}") x`)
    .join('\nunion all\n');
  const r = await pgc.query<{ t: string; f: string }>(sqlText);
  stats.fingerprintMs += Date.now() - started;
  return new Map(r.rows.map((x) => [x.t, x.f]));
}

/**
 * Watches the database between requests: a refused request must leave every table's content as it
 * was. Contents are hashed again only for the tables whose signature moved.
 */
class Watch {
  private xid = '';
  private sig = new Map<string, string>();
  private content = new Map<string, string>();
  async start() {
    this.xid = await nextXid();
    this.sig = await signatures();
    this.content = await contents([...hashed.keys()]);
  }
  /** After a request: the tables whose content it changed (looked at only when a transaction id was used). */
  async after(): Promise<string[]> {
    const xid = await nextXid();
    if (xid === this.xid) return [];
    this.xid = xid;
    const sig = await signatures();
    const moved = [...sig.keys()].filter((t) => sig.get(t) !== this.sig.get(t));
    this.sig = sig;
    const now = await contents(moved);
    const changed = moved.filter((t) => now.get(t) !== this.content.get(t));
    for (const [t, f] of now) this.content.set(t, f);
    return changed;
  }
}

// ---------------------------------------------------------------- who calls

function mayCall(o: Op, c: Caller): boolean {
  const security = o.op.security ?? [];
  if (!security.length) return true;
  return security.some((alt) => Object.entries(alt).some(([scheme, perms]) => scheme === c.scheme && perms.every((p) => c.permissions.has(p))));
}

async function api(method: string, path: string, body?: unknown, token: string | null = s.adminToken) {
  const r = await s.call(method, path, { token, body });
  return r;
}

async function signInFuzzAdmin() {
  const r = await api('POST', '/v1/auth/sign-in', { email: fuzz.adminEmail, password: fuzz.adminPassword }, null);
  fuzz.admin = { name: 'admin (phase 2)', scheme: 'staffSession', token: r.body.token, permissions: new Set((await api('GET', '/v1/auth/me', undefined, r.body.token)).body.permissions) };
}
async function signInFuzzCustomer() {
  let r = await api('POST', '/v1/customer-auth/sign-in', { email: fuzz.customerEmail, password: fuzz.adminPassword }, null);
  if (r.status !== 200) {
    fuzz.customerEmail = `fuzz-customer-${pool.length}-${Date.now()}@bad-input.example`;
    r = await api('POST', '/v1/customer-auth/sign-up', { email: fuzz.customerEmail, password: fuzz.adminPassword }, null);
  }
  fuzz.customer = { name: 'customer (phase 2)', scheme: 'customerSession', token: r.body.token, permissions: new Set(['storefront']) };
}
/** Phase 2 may sign its own callers out or erase its customer: they are made again. */
async function heal() {
  if ((await api('GET', '/v1/auth/me', undefined, fuzz.admin!.token)).status !== 200) await signInFuzzAdmin();
  if ((await api('GET', '/v1/customer-auth/me', undefined, fuzz.customer!.token)).status !== 200) await signInFuzzCustomer();
}

/** Every id-looking string in an answer. */
function idsIn(v: unknown, out: Set<string> = new Set(), depth = 0): Set<string> {
  if (typeof v === 'string') {
    if (ID_LIKE.test(v)) out.add(v);
  } else if (v && typeof v === 'object' && depth < 8) for (const x of Object.values(v)) idsIn(x, out, depth + 1);
  return out;
}
async function discover(): Promise<Set<string>> {
  const found = new Set<string>();
  for (const o of ops) {
    if (o.method !== 'GET' || o.path.length) continue;
    const r = await api('GET', o.template);
    if (r.status !== 200) continue;
    addSkus(r.body);
    const ids = idsIn(r.body);
    for (const id of ids) found.add(id);
    const listed = Array.isArray(r.body?.data) ? r.body.data.map((x: { id?: unknown }) => x?.id).filter((x: unknown): x is string => typeof x === 'string') : [];
    if (listed.length) listIds.set(o.template, listed);
  }
  return found;
}
function addToPool(ids: Iterable<string>) {
  for (const id of ids) if (!protectedIds.has(id) && !pool.includes(id)) pool.push(id);
}
function addSkus(v: unknown, depth = 0) {
  if (!v || typeof v !== 'object' || depth > 8) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'sku' && typeof x === 'string' && !skus.includes(x)) skus.push(x);
    else addSkus(x, depth + 1);
  }
}

/** Plausible path values: an id listed under the path's parent collection, another known id, or a made-up one. */
function paramArb(o: Op, p: Parameter): fc.Arbitrary<{ value: string; raw?: boolean }> {
  const parent = o.template.slice(0, o.template.indexOf(`{${p.name}}`)).replace(/\/$/, '');
  const listed = (listIds.get(parent) ?? []).filter((id) => !protectedIds.has(id));
  const options: fc.Arbitrary<string>[] = [fc.constantFrom('nothing_here', 'cus_01J0000000000000000000000', ...HOSTILE_PATH)];
  if (pool.length) options.push(fc.integer({ min: 0, max: pool.length - 1 }).map((i) => pool[i]));
  if (listed.length) options.push(fc.constantFrom(...listed));
  return fc.oneof(...options).map((value) => ({ value }));
}

/** Headers of a well-behaved client: a fresh Idempotency-Key now and then. */
const plainHeaders: fc.Arbitrary<Record<string, string>> = fc.option(fc.uuid().map((k) => ({ 'idempotency-key': k })), { nil: {} }).map((h) => h);

/** A request of the operation's shape: plausible path values, some query parameters, a body of its schema. */
function baseArb(o: Op, headers = extraHeaders): fc.Arbitrary<Req> {
  const params = fc.record(Object.fromEntries(o.path.map((p) => [p.name, paramArb(o, p)])));
  const queryValue = (p: Parameter) => validArb(p.schema, 0, p.name).map((v) => (Array.isArray(v) ? v.map((x) => [p.name, String(x)]) : [[p.name, String(v)]]) as Array<[string, string]>);
  const query = fc.tuple(
    // A cursor comes from a previous page, never made up (made-up ones are phase 1's).
    ...o.query.filter((p) => p.name !== 'cursor').map((p) => (p.required ? queryValue(p) : fc.option(queryValue(p), { nil: [] as Array<[string, string]> }))),
  );
  const body = o.body ? validArb(o.body) : fc.constant(undefined);
  return fc.record({ params, query, body, headers }).map((x) => ({
    method: o.method,
    template: o.template,
    params: x.params as Req['params'],
    query: (x.query as Array<Array<[string, string]>>).flat(),
    headers: x.headers,
    body: x.body,
    contentType: x.body === undefined ? undefined : 'application/json',
    why: 'valid shape',
  }));
}

/** Requests that each break the operation's contract at least once. */
function badArb(o: Op): fc.Arbitrary<Req> {
  return baseArb(o).chain((whole) => {
    // A batch of collected events keeps its good events and lists the bad ones (200); only a batch
    // with nothing good in it is refused. Broken here: a batch of one event.
    const b = whole.body as { batch?: unknown[] } | undefined;
    const base = b && Array.isArray(b.batch) && b.batch.length > 1 ? { ...whole, body: { ...b, batch: b.batch.slice(0, 1) } } : whole;
    const breakers = breakersFor(o, base.body);
    return breakers.length ? fc.integer({ min: 0, max: breakers.length - 1 }).chain((i) => breakers[i](base)) : fc.constant({ ...base, why: 'no way to break it (no input)' });
  });
}

const seedOf = (key: string) => {
  let h = SEED >>> 0;
  for (const ch of key) h = (Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0) + 1;
  return h % 2 ** 31;
};
const isBreakable = (o: Op) => o.method !== 'GET' || o.path.length > 0 || o.query.length > 0;

// ---------------------------------------------------------------- set-up

beforeAll(async () => {
  // eslint-disable-next-line no-console
  console.info(`bad input: seed ${SEED} (BAD_INPUT_SEED=${SEED} repeats this run), ${RUNS} bad and ${VALID_RUNS} valid requests per operation and caller`);
  s = await startTestServer({ runWorkers: false, signInRateLimit: 1_000_000 });
  pgc = new pg.Client({ connectionString: s.config.databaseUrl });
  await pgc.connect();
  doc = await (await fetch(`${s.url}/openapi.json`)).json();
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      const json = Object.entries(op.requestBody?.content ?? {}).find(([type]) => type.includes('json'));
      ops.push({ key: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template, op, path: params.filter((p) => p.in === 'path'), query: params.filter((p) => p.in === 'query'), body: json?.[1].schema });
    }
  }

  // The callers. Their own ids never appear in generated paths, so phase 2 cannot revoke them.
  const store = await api('POST', '/v1/locations', { code: 'FUZZ-STORE', name: 'Fuzz store', type: 'store' });
  await api('POST', '/v1/staff-users', { email: 'fuzz-associate@bad-input.example', name: 'Associate', role: 'store_associate', storeIds: [store.body.id], password: fuzz.adminPassword });
  await api('POST', '/v1/staff-users', { email: fuzz.adminEmail, name: 'Fuzz admin', role: 'admin', password: fuzz.adminPassword });
  const associate = (await api('POST', '/v1/auth/sign-in', { email: 'fuzz-associate@bad-input.example', password: fuzz.adminPassword }, null)).body.token;
  const me = async (token: string) => new Set<string>((await api('GET', '/v1/auth/me', undefined, token)).body.permissions ?? []);
  const customer = (await api('POST', '/v1/customer-auth/sign-up', { email: 'fuzz-shopper@bad-input.example', password: fuzz.adminPassword }, null)).body.token;
  const pk = (await api('POST', '/v1/api-keys', { kind: 'publishable', name: 'fuzz shop' })).body.token;
  callers.push(
    { name: 'no credential', scheme: 'none', token: null, permissions: new Set() },
    { name: 'publishable key', scheme: 'publishableKey', token: pk, permissions: new Set(['storefront']) },
    { name: 'customer', scheme: 'customerSession', token: customer, permissions: new Set(['storefront']) },
    { name: 'store associate', scheme: 'staffSession', token: associate, permissions: await me(associate) },
    { name: 'admin', scheme: 'staffSession', token: s.adminToken, permissions: await me(s.adminToken) },
  );
  const permissions: string[] = (await api('GET', '/v1/roles')).body.permissions;
  for (const p of permissions) {
    const key = await api('POST', '/v1/api-keys', { kind: 'secret', name: `fuzz ${p}`, scopes: [p] });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    callers.push({ name: `secret key [${p}]`, scheme: 'secretKey', token: key.body.token, permissions: new Set([p]) });
  }
  await signInFuzzAdmin();
  await signInFuzzCustomer();
  for (const id of await discover()) protectedIds.add(id);

  // A little of everything for paths to name (each call may fail as the API changes: it is only seed).
  const product = await api('POST', '/v1/products', { status: 'active', title: { en: 'Fuzz mug' }, variants: [{ sku: 'FUZZ-MUG' }, { sku: 'FUZZ-CUP' }] });
  const list = await api('POST', '/v1/price-lists', { name: 'Fuzz prices' });
  await api('POST', `/v1/price-lists/${list.body?.id}/prices`, { prices: [{ sku: 'FUZZ-MUG', amount: 1250 }, { sku: 'FUZZ-CUP', amount: 800 }] });
  const warehouse = await api('POST', '/v1/locations', { code: 'FUZZ-WH', name: 'Fuzz warehouse', type: 'warehouse' });
  await api('POST', '/v1/stock/movements', { sku: 'FUZZ-MUG', locationId: warehouse.body?.id, type: 'receipt', quantity: 50 });
  await api('POST', '/v1/categories', { name: { en: 'Fuzz' } });
  const cart = await api('POST', '/v1/carts', { channel: 'web' });
  await api('POST', `/v1/carts/${cart.body?.id}/lines`, { sku: 'FUZZ-MUG', quantity: 1 });
  await api('POST', '/v1/collect/batch', { batch: [{ type: 'identify', userId: 'fuzz-user', traits: { email: 'fuzz-user@bad-input.example' } }] });
  expect(product.status).toBe(201);
  addToPool(await discover());
  await readTables();
}, 600_000);

afterAll(async () => {
  await pgc?.end();
  await s?.close();
});

function report(phase: string) {
  const statuses = [...stats.byStatus].sort().map(([k, n]) => `${k}×${n}`).join(' ');
  // eslint-disable-next-line no-console
  console.info(`bad input ${phase}: ${ops.length} operations, ${stats.sent} requests (${statuses}), ${stats.fingerprints} fingerprints (${stats.fingerprintMs} ms), ${pool.length} ids in the pool`);
  stats.byStatus.clear();
  stats.sent = 0;
  stats.fingerprints = 0;
  stats.fingerprintMs = 0;
}
const fail = (line: string) => {
  failures.push(line);
};
const failed = () => `seed ${SEED} (BAD_INPUT_SEED=${SEED}); ${failures.length} failures:\n${failures.slice(0, 40).join('\n')}`;

describe('bad input to every operation', () => {
  it('is refused with a 4xx problem document and changes nothing, for every kind of caller', async () => {
    failures.length = 0;
    expect(ops.length).toBeGreaterThan(150);
    const watch = new Watch();
    await watch.start();
    for (const o of ops) {
      for (const caller of callers) {
        const permitted = mayCall(o, caller);
        // A caller without access is refused whatever it sends; one with access only for bad input.
        const mustRefuse = !permitted || isBreakable(o);
        const runs = permitted ? (isBreakable(o) ? RUNS : 2) : 1;
        for (const r of fc.sample(badArb(o), { seed: seedOf(`${o.key} ${caller.name}`), numRuns: runs })) {
          const a = await send(r, caller);
          const changed = await watch.after();
          const what = describeReq(r, caller);
          if (!mustRefuse) {
            // Nothing to break (a GET without input): only no 5xx and, for a refusal, a problem document.
            if (a.status >= 500 || a.status === 0) fail(`${a.status} for ${what}: ${JSON.stringify(a.body).slice(0, 300)}`);
            else if (a.status >= 400 && problemFault(a, r)) fail(`${a.status} without a proper problem (${problemFault(a, r)}) for ${what}`);
          } else if (a.status < 400 || a.status >= 500) fail(`${a.status} for ${what}: ${JSON.stringify(a.body).slice(0, 300)}`);
          else if (problemFault(a, r)) fail(`${a.status} without a proper problem (${problemFault(a, r)}) for ${what}`);
          if (changed.length) fail(`changed ${changed.join(', ')}: ${a.status} for ${what}`);
        }
      }
    }
    report('phase 1');
    expect(failures, failed()).toEqual([]);
  }, 1_200_000);

  it('allowed requests with hostile values get no 5xx, and a refusal among them changes nothing', async () => {
    failures.length = 0;
    const watch = new Watch();
    await watch.start();
    for (const o of ops) {
      const who = [fuzz.admin!, fuzz.customer!, callers[1], callers[0]].filter((c) => mayCall(o, c));
      if (!who.length) continue;
      let n = 0;
      for (const r of fc.sample(baseArb(o, plainHeaders), { seed: seedOf(`${o.key} valid`), numRuns: VALID_RUNS })) {
        const caller = who[n++ % who.length];
        const current = caller === callers[0] || caller === callers[1] ? caller : caller.scheme === 'staffSession' ? fuzz.admin! : fuzz.customer!;
        const a = await send(r, current);
        const changed = await watch.after();
        const what = describeReq(r, current);
        if (a.status >= 500 || a.status === 0) fail(`${a.status} for ${what}: ${JSON.stringify(a.body).slice(0, 300)}`);
        else if (a.status >= 400) {
          // eslint-disable-next-line no-console -- asked for with BAD_INPUT_DEBUG
          if (process.env.BAD_INPUT_DEBUG) console.info(`phase 2 ${a.status} ${o.key}: ${a.body?.code} ${String(JSON.stringify(a.body?.errors?.slice(0, 2) ?? a.body?.detail)).slice(0, 200)}`);
          if (problemFault(a, r)) fail(`${a.status} without a proper problem (${problemFault(a, r)}) for ${what}`);
          if (changed.length) fail(`refused with ${a.status} (${a.body?.code}) but changed ${changed.join(', ')}: ${what}`);
        } else {
          addToPool(idsIn(a.body));
          addSkus(a.body);
        }
      }
      if (o.method !== 'GET') {
        await heal();
        // What healing changed is no request's doing.
        await watch.after();
      }
    }
    report('phase 2');
    expect(failures, failed()).toEqual([]);
  }, 1_200_000);
});
