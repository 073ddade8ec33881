// Reading the audit log (the platform's table, written through src/platform/audit.ts).
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { auditLog } from '../../platform/schema.js';

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
