// Limits every request schema gets, so that bad input is refused by validation (a 400 naming the
// field) instead of failing in the database or in arithmetic further in:
// - an integer without bounds gets those of a PostgreSQL `integer` (int4), the type of every
//   counted column; a field kept in a wider column declares its own bounds;
// - a string without `maxLength` gets DEFAULT_MAX_LENGTH, small enough for a b-tree index entry
//   (at most 2,704 bytes, so 500 characters of up to 4 bytes each);
// - a number that query or path coercion made infinite ("1e309", "Infinity") is refused: ajv turns
//   such strings into Infinity and skips its `maximum` check for numbers that are not finite;
// - date-times and dates must be ones PostgreSQL and JavaScript both can hold (no year 0000, no
//   leap second that `new Date` cannot read);
// - a unique violation the code did not foresee is a 409 naming the field, not a 500.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem, problemType, pointerToken, type FieldError, type JsonPointer, type RequestPart } from '../errors.js';
import { sqlState } from '../db.js';

export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;
export const DEFAULT_MAX_LENGTH = 500;

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);
const types = (s: Schema) => ([] as unknown[]).concat(s.type ?? []);

/**
 * Gives the integers and strings of a request schema the default bounds where they declare none,
 * in place; with `close`, objects that declare their properties (or the pattern of their keys) and
 * say nothing about others refuse unknown fields (docs/API.md: an unknown field is a 400), as body
 * schemas do. `lookup` resolves a
 * `$ref` to a registered schema (bounded once, whatever refers to it).
 */
export function boundRequestSchema(schema: unknown, lookup: (id: string) => unknown, opts: { close: boolean; seen: Set<unknown> }): void {
  if (!isSchema(schema) || opts.seen.has(schema)) return;
  opts.seen.add(schema);
  if (typeof schema.$ref === 'string') {
    boundRequestSchema(lookup(schema.$ref.replace(/#.*$/, '')), lookup, opts);
    return;
  }
  const t = types(schema);
  if (t.includes('integer')) {
    if (schema.maximum === undefined && schema.exclusiveMaximum === undefined) schema.maximum = INT4_MAX;
    if (schema.minimum === undefined && schema.exclusiveMinimum === undefined) schema.minimum = INT4_MIN;
  }
  if (t.includes('string') && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) schema.maxLength = DEFAULT_MAX_LENGTH;
  // A record whose keys have a pattern (`{ mon: …, tue: … }`) would take any other key unchecked.
  if (opts.close && (isSchema(schema.properties) || isSchema(schema.patternProperties)) && schema.additionalProperties === undefined && schema.unevaluatedProperties === undefined) {
    schema.additionalProperties = false;
  }
  for (const key of ['properties', 'patternProperties', '$defs', 'definitions'] as const) {
    if (isSchema(schema[key])) for (const v of Object.values(schema[key] as Schema)) boundRequestSchema(v, lookup, opts);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else'] as const) boundRequestSchema(schema[key], lookup, opts);
  for (const key of ['anyOf', 'oneOf', 'prefixItems'] as const) {
    if (Array.isArray(schema[key])) for (const v of schema[key] as unknown[]) boundRequestSchema(v, lookup, opts);
  }
  // The parts of an allOf each see only some of the fields: none of them may refuse the others'.
  if (Array.isArray(schema.allOf)) for (const v of schema.allOf as unknown[]) boundRequestSchema(v, lookup, { ...opts, close: false });
}

/** How deep a request's JSON may nest (objects and arrays); real documents stay far below it. */
export const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character, which text cannot hold';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which is not text (send the whole character)';
  return undefined;
}

/**
 * Where in a parsed request (query, params or body) a string or key holds a NUL character or a lone
 * surrogate, which PostgreSQL cannot store, or the JSON nests deeper than MAX_DEPTH; with what to fix.
 */
export function findBadText(value: unknown, part: RequestPart, path: JsonPointer = '', depth = 0): FieldError | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { in: part, field: path, message } : undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  // Parsed JSON and query strings only: a raw or streamed body (an import file) is not looked into.
  if (ArrayBuffer.isView(value) || value instanceof Date || typeof (value as { pipe?: unknown }).pipe === 'function') return undefined;
  if (depth >= MAX_DEPTH) return { in: part, field: path, message: `nested more than ${MAX_DEPTH} levels deep` };
  for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    if (typeof k === 'string') {
      const message = textProblem(k);
      // eslint-disable-next-line no-control-regex -- a NUL in a key is shown as \0
      if (message) return { in: part, field: `${path}/${pointerToken(k.replace(/\u0000/g, '\\0'))}`, message: `the key ${message.replace('contains', 'holds')}` };
    }
    const found = findBadText(v, part, `${path}/${pointerToken(String(k))}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A query string that is not percent-encoded UTF-8 (`%ED%A0%80`, a lone surrogate; `%FF`; a `%`
 * without two hex digits): the parser would pass it on as something else than was sent, so it is a
 * 400 like a malformed path. Answers the problem, if any.
 */
export function malformedQuery(url: string): FieldError | undefined {
  const at = url.indexOf('?');
  if (at < 0) return undefined;
  try {
    decodeURIComponent(url.slice(at + 1));
    return undefined;
  } catch {
    return { in: 'query', field: '', message: 'not percent-encoded UTF-8: encode each byte of the UTF-8 text as %XX' };
  }
}

/** Where in coerced query or path values a number is not finite, if anywhere. */
function nonFinite(value: unknown, at: string, depth = 0): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : at;
  if (!value || typeof value !== 'object' || depth > 4) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = nonFinite(v, `${at}/${k}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A preHandler (after validation, so it sees the coerced values): a query or path value that
 * coercion turned into Infinity is refused like any other invalid field. Thrown in the shape of
 * Fastify's validation errors, so it is reported exactly like them.
 */
export function refuseNonFiniteNumbers(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
  for (const [context, value] of [['querystring', req.query], ['params', req.params]] as const) {
    const at = nonFinite(value, '');
    if (at !== undefined) {
      const err = Object.assign(new Error(`${context}${at} must be a finite number`), {
        validation: [{ keyword: 'type', instancePath: at, schemaPath: '', params: {}, message: 'must be a finite number' }],
        validationContext: context,
        statusCode: 400,
      });
      return done(err);
    }
  }
  done();
}

/** Years PostgreSQL's timestamps and dates and JavaScript's Date all hold (PostgreSQL has no year 0). */
function saneYear(text: string): boolean {
  const year = Number(/^(\d{4})-/.exec(text)?.[1]);
  return year >= 1;
}

/**
 * For Fastify's `ajv.onCreate`: `date-time` and `date` as ajv-formats checks them, and also
 * readable by `new Date` (ajv-formats allows a leap second, 23:59:60, which Date cannot read) and
 * in a year the database has.
 */
export function saneDateFormats(ajv: { formats: Record<string, unknown>; addFormat(name: string, format: unknown): unknown }) {
  for (const name of ['date-time', 'date']) {
    const base = ajv.formats[name] as { validate?: (s: string) => boolean } | ((s: string) => boolean) | RegExp | undefined;
    const check = (s: string) => (typeof base === 'function' ? base(s) : base instanceof RegExp ? base.test(s) : base?.validate ? base.validate(s) : true);
    ajv.addFormat(name, { type: 'string', validate: (s: string) => check(s) && saneYear(s) && !Number.isNaN(Date.parse(s)) });
  }
}

type DatabaseError = { constraint?: string; detail?: string; table?: string };

/** The database error behind a query builder's wrapper (drizzle puts PostgreSQL's in `cause`). */
function databaseError(err: unknown): DatabaseError | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    // A five-character SQLSTATE: node-postgres's DatabaseError, which has these fields.
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e as DatabaseError;
    e = e.cause as typeof e;
  }
  return undefined;
}

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * A unique violation (SQLSTATE 23505) the code did not turn into its own answer: a 409 `conflict`
 * naming the fields of the key when PostgreSQL tells them (`Key (code)=(…) already exists`; the
 * value itself is not repeated). Routes that know better (e.g. `email_taken`) check first.
 */
export function uniqueViolationProblem(err: unknown): Problem | undefined {
  if (sqlState(err) !== '23505') return undefined;
  const e = databaseError(err);
  const key = /^Key \((.*?)\)=\(/.exec(e?.detail ?? '')?.[1] ?? '';
  // `lower(email::text)`, `code`, `price_list_id, variant_id`: the column names, without functions and casts.
  const columns = [...new Set(key.replace(/::[a-z ]+/gi, '').match(/\b[a-z_][a-z0-9_]*\b(?!\s*\()/gi) ?? [])];
  const errors: FieldError[] = columns.map((c) => ({ field: `/${camel(c)}`, message: 'already taken' }));
  const what = columns.length ? columns.map(camel).join(', ') : 'a value that must be unique';
  return new Problem({
    status: 409,
    code: 'conflict',
    title: 'Conflict',
    detail: `Another record already has this ${what}; choose another${columns.length > 1 ? ' combination' : ''}.`,
    ...(errors.length ? { errors } : {}),
  });
}

/**
 * For Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any route or hook
 * runs (headers or a request line over 16 kB, a request that is not HTTP, a time-out) is answered
 * as a problem document with a request id too, instead of Node's bare JSON.
 */
export function clientErrorAsProblem(nextRequestId: () => string) {
  return (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, title, detail] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'Request headers too large', 'The request line and headers are over 16 kB together; send long values in a JSON body.']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request_timeout', 'Request timeout', 'The request did not arrive in time.']
          : [400, 'malformed', 'The request is not valid', 'This is not an HTTP request the server can read.'];
    const requestId = nextRequestId();
    const body = JSON.stringify({ type: problemType(code), title, status, detail, code, requestId });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
