import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { Page, PageQuery, ref, Timestamp } from '../../platform/http/schemas.js';
import { storeScope } from '../../platform/access/scope.js';
import { actorIdsWithin } from '../access/index.js';
import { listAudit } from './service.js';

const AuditEntry = Type.Object(
  {
    id: Type.String({ description: 'aud_…' }),
    occurredAt: Timestamp,
    actor: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]), label: Type.Union([Type.String(), Type.Null()]) }),
    action: Type.String({ description: 'e.g. api_key.create' }),
    resourceType: Type.String(),
    resourceId: Type.String(),
    before: Type.Unknown(),
    after: Type.Unknown(),
    requestId: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AuditEntry' },
);
const AuditPage = Page(ref(AuditEntry), 'AuditEntry');

export async function auditRoutes(app: App, ctx: AppContext) {
  app.addSchema(AuditEntry);
  app.addSchema(AuditPage);
  app.get(
    '/v1/audit-log',
    {
      config: { access: { permission: 'audit:read' } },
      schema: {
        tags: ['audit'],
        summary: 'Staff and API-key changes, newest first',
        description: 'Staff and keys scoped to stores read what the staff users and keys of their stores did (those limited to some of those stores).',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({ resourceType: Type.Optional(Type.String()), resourceId: Type.Optional(Type.String()), actorId: Type.Optional(Type.String()), action: Type.Optional(Type.String()) }),
        ]),
        response: { 200: ref(AuditPage) },
      },
    },
    async (req) => {
      const scope = storeScope(req.principal);
      const page = await listAudit(ctx.db, { ...req.query, ...(scope ? { actorIds: await actorIdsWithin(ctx.db, scope) } : {}), limit: req.query.limit ?? 50 });
      return {
        ...page,
        data: page.data.map((r) => ({
          id: r.id,
          occurredAt: r.occurredAt.toISOString(),
          actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
          action: r.action,
          resourceType: r.resourceType,
          resourceId: r.resourceId,
          before: r.before ?? null,
          after: r.after ?? null,
          requestId: r.requestId,
          ip: r.ip,
        })),
      };
    },
  );
}
