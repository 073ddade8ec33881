import { and, desc, eq, inArray, like, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { outboxEvents } from '../../platform/schema.js';

export async function listEvents(db: Executor, q: { limit: number; cursor?: string; type?: string; aggregateType?: string; aggregateId?: string | string[] }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(outboxEvents.seq, Number(after)));
  if (q.type) where.push(q.type.endsWith('.*') ? like(outboxEvents.type, `${q.type.slice(0, -1)}%`) : eq(outboxEvents.type, q.type));
  if (q.aggregateType) where.push(eq(outboxEvents.aggregateType, q.aggregateType));
  const ids = q.aggregateId === undefined ? [] : ([] as string[]).concat(q.aggregateId);
  if (ids.length) where.push(inArray(outboxEvents.aggregateId, ids));
  const rows = await db.select().from(outboxEvents).where(where.length ? and(...where) : undefined).orderBy(desc(outboxEvents.seq)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => String(r.seq));
  return {
    ...page,
    data: page.data.map((r) => ({
      id: r.id,
      type: r.type,
      occurredAt: r.occurredAt.toISOString(),
      aggregate: { type: r.aggregateType, id: r.aggregateId },
      customerId: r.customerId,
      actor: (r.actor as { type: string; id?: string; label?: string } | null) ?? null,
      data: r.data as Record<string, unknown>,
    })),
  };
}
