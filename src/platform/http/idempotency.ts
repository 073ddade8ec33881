// Idempotency-Key on creating POSTs. The first request with a key claims it; its answer (anything
// below 500) is stored for IDEMPOTENCY_HOURS and replayed for the same key and body. The same key
// with another body is refused (422). A second request arriving while the first still runs waits
// for its answer. A server error frees the key so the client can retry.
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db.js';
import { Problem, conflict, unprocessable } from '../errors.js';
import { idempotencyKeys } from '../schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string; key: string };
  }
}

const KEY_RE = /^[\x21-\x7e]{1,255}$/;
const LOCK_SECONDS = 60;
const WAIT_MS = 15_000;

function principalOf(req: FastifyRequest): string {
  return req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`;
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

/**
 * The two hooks, for the routes that take Idempotency-Key (creating POSTs under /v1); app.ts adds
 * them to those routes only, so other requests pay nothing.
 */
export function idempotencyHooks(db: Db, hours: number) {
  const preHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers['idempotency-key'];
    if (header === undefined) return;
    const key = String(header);
    if (!KEY_RE.test(key)) {
      throw new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: 'Idempotency-Key must be 1–255 visible ASCII characters.', errors: [{ field: '/idempotency-key', in: 'header', message: 'invalid' }] });
    }
    const principal = principalOf(req);
    const path = req.routeOptions.url ?? req.url;
    const requestHash = createHash('sha256').update(`${req.method} ${req.url}\n${canonical(req.body ?? null)}`).digest('hex');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const claimed = await db
        .insert(idempotencyKeys)
        .values({
          principal,
          key,
          method: req.method,
          path,
          requestHash,
          state: 'running',
          lockedUntil: sql`now() + make_interval(secs => ${LOCK_SECONDS})`,
          expiresAt: sql`now() + make_interval(hours => ${hours})`,
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length) {
        req.idempotency = { principal, key };
        return;
      }
      const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
      if (!row) continue; // freed after a server error: claim it
      if (row.expiresAt < new Date()) {
        await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key), lt(idempotencyKeys.expiresAt, new Date())));
        continue;
      }
      if (row.requestHash !== requestHash) {
        throw unprocessable(
          `Idempotency-Key "${key}" was already used with a different request (${row.method} ${row.path}). Use a new key for a new request.`,
          'idempotency_key_reused',
        );
      }
      if (row.state === 'done') {
        reply.header('idempotent-replayed', 'true');
        reply.code(row.statusCode ?? 200);
        if (row.contentType) reply.type(row.contentType);
        return reply.serializer((p: unknown) => p as string).send(row.responseBody ?? '');
      }
      if (row.lockedUntil < new Date()) {
        // The first attempt died without answering: take the key over.
        const taken = await db
          .update(idempotencyKeys)
          .set({ lockedUntil: sql`now() + make_interval(secs => ${LOCK_SECONDS})` })
          .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'running'), lt(idempotencyKeys.lockedUntil, new Date())))
          .returning({ key: idempotencyKeys.key });
        if (taken.length) {
          req.idempotency = { principal, key };
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
    const where = and(eq(idempotencyKeys.principal, claim.principal), eq(idempotencyKeys.key, claim.key));
    if (reply.statusCode >= 500) {
      await db.delete(idempotencyKeys).where(where);
    } else {
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : JSON.stringify(payload);
      await db
        .update(idempotencyKeys)
        .set({ state: 'done', statusCode: reply.statusCode, contentType: String(reply.getHeader('content-type') ?? 'application/json'), responseBody: body })
        .where(where);
    }
    return payload;
  };
  return { preHandler, onSend };
}
