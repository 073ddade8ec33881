// The audit log: every staff (or API key) mutation, with who, what, when and the record before
// and after. Written in the same transaction as the change it describes, by any module; the audit
// module reads it (GET /v1/audit) and erases people from it.
import type { Executor } from './db.js';
import type { RequestContext } from './context.js';
import { newId } from './ids.js';
import { auditLog } from './schema.js';

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
