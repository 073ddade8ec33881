// The audit log: every staff (or API key) mutation, with who, what, when and the record before
// and after. Written in the same transaction as the change it describes.
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import type { Actor } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { auditLog } from './schema.js';

export interface RequestContext {
  actor: Actor;
  requestId?: string;
  ip?: string;
}

export const SYSTEM: RequestContext = { actor: { type: 'system', label: 'winkel' } };

/** Fields never written to the audit log. */
const SECRET_FIELDS = new Set(['passwordHash', 'tokenHash', 'secret', 'password', 'token']);

function redact(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value ?? null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_FIELDS.has(k) ? '[redacted]' : v;
  return out;
}

export async function recordAudit(
  tx: Executor,
  ctx: RequestContext,
  entry: { action: string; resourceType: string; resourceId: string; before?: unknown; after?: unknown },
) {
  if (ctx.actor.type === 'customer' || ctx.actor.type === 'anonymous') return;
  await tx.insert(auditLog).values({
    id: newId('audit'),
    actorType: ctx.actor.type,
    actorId: ctx.actor.id ?? null,
    actorLabel: ctx.actor.label ?? null,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    before: redact(entry.before),
    after: redact(entry.after),
    requestId: ctx.requestId ?? null,
    ip: ctx.ip ?? null,
  });
}

export async function listAudit(
  db: Executor,
  q: { limit: number; cursor?: string; resourceType?: string; resourceId?: string; actorId?: string; action?: string; actorIds?: readonly string[] },
) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  // Only what these actors did (a caller scoped to stores: the staff and keys of those stores).
  if (q.actorIds) where.push(q.actorIds.length ? inArray(auditLog.actorId, [...q.actorIds]) : sql`false`);
  if (after) where.push(lt(auditLog.id, after));
  if (q.resourceType) where.push(eq(auditLog.resourceType, q.resourceType));
  if (q.resourceId) where.push(eq(auditLog.resourceId, q.resourceId));
  if (q.actorId) where.push(eq(auditLog.actorId, q.actorId));
  if (q.action) where.push(eq(auditLog.action, q.action));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}
