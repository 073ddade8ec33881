// Idempotency-Key on POSTs. The first request with a key claims it; its answer (anything below 500)
// is stored for IDEMPOTENCY_HOURS and replayed for the same key and request. The same key with
// another request is refused (422). A second request arriving while the first still runs waits
// for its answer. A server error frees the key so the client can retry.
//
// What is stored is readable only with the key itself. Answers to creating POSTs carry secrets shown
// once (a new API key's token, a gift card's code, a customer session's token) and personal data (a
// checkout's address), so the database keeps them encrypted (AES-256-GCM) under a key derived
// (HKDF-SHA256) from the Idempotency-Key and the caller; the row is found by another value derived
// from the same two, and the request's fingerprint is an HMAC under a third. A copy of the database
// (a backup, a replica, a support dump) therefore holds no answer, secret or key in the clear, while
// the client that retries with its key gets the very same answer back. The protection is as strong
// as the key is hard to guess: use a random one (a UUID v4), as docs/API.md says.
//
// A streamed body (an import upload) is fingerprinted by its raw bytes: it is spooled to a file in
// the data directory while the HMAC runs over it, then handed to the route from that file.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db.js';
import { Problem, conflict, unprocessable } from '../errors.js';
import { idempotencyKeys } from '../schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string; lookup: string; answerKey: Buffer };
  }
}

const KEY_RE = /^[\x21-\x7e]{1,255}$/;
const LOCK_SECONDS = 60;
const WAIT_MS = 15_000;
/** Answer headers a replay gives back besides the status and body. */
const KEPT_HEADERS = ['content-type', 'etag', 'location'] as const;
const FORMAT = 'v2';

function principalOf(req: FastifyRequest): string {
  return req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`;
}

/** The three values derived from a client's key (and whose it is): row lookup, request fingerprint, answer encryption. */
export function idempotencySecrets(principal: string, key: string) {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', key, principal, `winkel idempotency ${purpose}`, 32));
  return { lookup: derive('lookup').toString('hex'), requestKey: derive('request'), answerKey: derive('answer') };
}

/** Winkel's prefixed ids (`ord_01…`), as an answer or a path names them. */
const ID_IN_TEXT = /\b[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}\b/g;
const MAX_SUBJECTS = 200;

/** The hash under which a stored answer is filed for an id it names (see `subjects`). */
export function idempotencySubject(id: string): string {
  return createHash('sha256').update(`winkel idempotency subject ${id}`).digest('hex').slice(0, 32);
}

/**
 * The ids a stored answer is about: those in the request's path and in the answer, hashed. The
 * answer itself is encrypted under the client's key; these let an erasure delete every stored
 * answer about a person (their orders, carts, account) without being able to read any.
 */
function subjectsOf(url: string, body: string): string[] {
  const ids = new Set<string>();
  for (const text of [url.split('?')[0], body]) {
    for (const m of text.matchAll(ID_IN_TEXT)) {
      ids.add(m[0]);
      if (ids.size >= MAX_SUBJECTS) break;
    }
  }
  return [...ids].map(idempotencySubject);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface StoredAnswer {
  headers: Record<string, string>;
  body: string;
}

function seal(answerKey: Buffer, answer: StoredAnswer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', answerKey, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${FORMAT}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

function open(answerKey: Buffer, stored: string): StoredAnswer | null {
  const [format, iv, sealed] = stored.split('.');
  if (format !== FORMAT || !iv || !sealed) return null;
  try {
    const data = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', answerKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as StoredAnswer;
  } catch {
    return null;
  }
}

const isStream = (body: unknown): body is Readable => !!body && typeof (body as Readable).pipe === 'function';

/**
 * The two hooks, for the routes that take Idempotency-Key (POSTs under /v1 without
 * `config.idempotent: false`); app.ts adds them to those routes only, so other requests pay nothing.
 * `spoolDir`: where streamed bodies wait while they are fingerprinted.
 */
export function idempotencyHooks(db: Db, hours: number, opts: { spoolDir: string }) {
  /** HMAC of the request: method, URL (with its query) and body, streamed bodies byte for byte. */
  const fingerprint = async (req: FastifyRequest, reply: FastifyReply, requestKey: Buffer) => {
    const mac = createHmac('sha256', requestKey).update(`${req.method} ${req.url}\n`);
    if (!isStream(req.body)) return mac.update(canonical(req.body ?? null)).digest('hex');
    await mkdir(opts.spoolDir, { recursive: true });
    const file = path.join(opts.spoolDir, `upload-${randomBytes(12).toString('hex')}`);
    reply.raw.once('close', () => void rm(file, { force: true }).catch(() => undefined));
    await pipeline(req.body, new Transform({ transform: (chunk: Buffer, _enc, done) => (mac.update(chunk), done(null, chunk)) }), createWriteStream(file, { mode: 0o600 }));
    req.body = createReadStream(file);
    return mac.digest('hex');
  };

  const preHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers['idempotency-key'];
    if (header === undefined) return;
    const key = String(header);
    if (!KEY_RE.test(key)) {
      throw new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: 'Idempotency-Key must be 1–255 visible ASCII characters.', errors: [{ field: '/idempotency-key', in: 'header', message: 'invalid' }] });
    }
    const principal = principalOf(req);
    const { lookup, requestKey, answerKey } = idempotencySecrets(principal, key);
    const where = and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, lookup));
    const routePath = req.routeOptions.url ?? req.url;
    const requestHash = await fingerprint(req, reply, requestKey);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const claimed = await db
        .insert(idempotencyKeys)
        .values({
          principal,
          key: lookup,
          method: req.method,
          path: routePath,
          requestHash,
          state: 'running',
          lockedUntil: sql`now() + make_interval(secs => ${LOCK_SECONDS})`,
          expiresAt: sql`now() + make_interval(hours => ${hours})`,
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length) {
        req.idempotency = { principal, lookup, answerKey };
        return;
      }
      const [row] = await db.select().from(idempotencyKeys).where(where);
      if (!row) continue; // freed after a server error: claim it
      if (row.expiresAt < new Date()) {
        await db.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.expiresAt, new Date())));
        continue;
      }
      if (row.requestHash !== requestHash) {
        throw unprocessable(
          `Idempotency-Key "${key}" was already used with a different request (${row.method} ${row.path}). Use a new key for a new request.`,
          'idempotency_key_reused',
        );
      }
      if (row.state === 'done') {
        const answer = open(answerKey, row.responseBody ?? '');
        if (!answer) throw conflict(`The answer stored for Idempotency-Key "${key}" cannot be read back; use a new key.`, 'idempotency_answer_unreadable');
        reply.header('idempotent-replayed', 'true');
        for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
        reply.code(row.statusCode ?? 200);
        return reply.serializer((p: unknown) => p as string).send(answer.body);
      }
      if (row.lockedUntil < new Date()) {
        // The first attempt died without answering: take the key over.
        const taken = await db
          .update(idempotencyKeys)
          .set({ lockedUntil: sql`now() + make_interval(secs => ${LOCK_SECONDS})` })
          .where(and(where, eq(idempotencyKeys.state, 'running'), lt(idempotencyKeys.lockedUntil, new Date())))
          .returning({ key: idempotencyKeys.key });
        if (taken.length) {
          req.idempotency = { principal, lookup, answerKey };
          return;
        }
        continue;
      }
      if (Date.now() > deadline) throw conflict(`A request with Idempotency-Key "${key}" is still being processed; retry shortly.`, 'idempotency_in_progress');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const onSend = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = req.idempotency;
    if (!claim) return payload;
    req.idempotency = undefined;
    const where = and(eq(idempotencyKeys.principal, claim.principal), eq(idempotencyKeys.key, claim.lookup));
    if (reply.statusCode >= 500) {
      await db.delete(idempotencyKeys).where(where);
    } else {
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : JSON.stringify(payload);
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await db
        .update(idempotencyKeys)
        .set({ state: 'done', statusCode: reply.statusCode, contentType: headers['content-type'] ?? null, responseBody: seal(claim.answerKey, { headers, body }), subjects: subjectsOf(req.url, body) })
        .where(where);
    }
    return payload;
  };
  return { preHandler, onSend };
}
