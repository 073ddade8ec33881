// GDPR routes: export (staff, and the signed-in customer for themself), erasure (staff with
// `privacy:erase`, with a reason) and the list of erasures as proof.
import Type, { type Static } from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest, forbidden, type RequestPart } from '../../platform/errors.js';
import { ref, ActorOut } from '../../platform/http/schemas.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import { requestContext } from '../../platform/context.js';
import { passwordMatches } from '../accounts/index.js';
import { recordAudit } from '../../platform/audit.js';
import { erasePerson, exportPerson, listErasures, type ErasureSummary, type PrivacySubject } from './service.js';

const tags = ['privacy'];

const Identifiers = Type.Object({
  customerIds: Type.Array(Type.String()),
  emails: Type.Array(Type.String()),
  anonymousIds: Type.Array(Type.String()),
  profileIds: Type.Array(Type.String()),
  phones: Type.Array(Type.String()),
  names: Type.Array(Type.String()),
});
const PersonExport = Type.Object(
  {
    format: Type.String({ description: '`winkel.person-export.v1`' }),
    generatedAt: Type.String({ format: 'date-time' }),
    identifiers: Identifiers,
    modules: Type.Record(Type.String(), Type.Unknown(), { description: 'Per module, what it holds on the person.' }),
    other: Type.Record(Type.String(), Type.Array(Type.Unknown()), { description: 'Rows of tables no module claims, found by customer id or e-mail.' }),
  },
  { $id: 'PersonExport' },
);
const Erasure = Type.Object(
  {
    id: Type.String({ description: 'era_…' }),
    createdAt: Type.String({ format: 'date-time' }),
    reason: Type.Optional(Type.String()),
    actor: Type.Optional(ActorOut),
    summary: Type.Object(
      {
        modules: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer()), { description: 'Rows deleted or anonymised, per module and table.' }),
        unlinked: Type.Record(Type.String(), Type.Integer(), { description: 'Rows of unclaimed tables unlinked by customer id or e-mail.' }),
        swept: Type.Record(Type.String(), Type.Integer(), { description: 'Rows where a leftover copy of an e-mail, phone or name was replaced.' }),
        kept: Type.Record(Type.String(), Type.String(), { description: 'What stays, and why.' }),
      },
      { additionalProperties: true },
    ),
    customerIds: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Erasure' },
);
const SubjectFields = {
  customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  phone: Type.Optional(Type.String({ minLength: 5, maxLength: 32 })),
};
const SubjectQuery = Type.Object({ ...SubjectFields, download: Type.Optional(Type.Boolean({ description: 'Answer as a file download.' })) });
const EraseBody = Type.Object({ ...SubjectFields, reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why (e.g. the request reference); kept as proof.' }) }, { additionalProperties: false });

function subjectOf(q: Partial<Record<keyof typeof SubjectFields, string>>, part: RequestPart): PrivacySubject {
  const s: PrivacySubject = {};
  for (const k of Object.keys(SubjectFields) as Array<keyof typeof SubjectFields>) if (q[k]) s[k] = q[k];
  if (!Object.keys(s).length) throw badRequest('Say whose data: give customerId, email, anonymousId, profileId or phone.', [{ field: '/customerId', in: part, message: 'give at least one identifier' }]);
  return s;
}

export async function privacyRoutes(app: App, ctx: AppContext) {
  for (const s of [PersonExport, Erasure]) app.addSchema(s);

  app.get(
    '/v1/privacy/export',
    {
      config: { access: { permission: 'privacy:read' } },
      schema: { tags, summary: 'Everything Winkel holds on a person, as JSON (GDPR access and portability)', querystring: SubjectQuery, response: { 200: ref(PersonExport) } },
    },
    async (req, reply) => {
      const data = await exportPerson(ctx.db, subjectOf(req.query, 'query'), 'staff');
      // Who looked at a person's data is itself worth knowing (no personal data in the entry).
      const who = data.identifiers.customerIds[0] ?? data.identifiers.profileIds[0] ?? data.identifiers.anonymousIds[0] ?? 'unknown';
      await recordAudit(ctx.db, requestContext(req), { action: 'customer.export', resourceType: 'customer', resourceId: who });
      reply.header('cache-control', 'no-store');
      if (req.query.download) reply.header('content-disposition', `attachment; filename="winkel-export-${data.generatedAt.slice(0, 10)}.json"`);
      return data;
    },
  );

  app.get(
    '/v1/me/export',
    { config: { access: 'customer' }, schema: { tags, summary: 'Everything Winkel holds on me, as JSON (signed-in customer)', querystring: Type.Object({ download: Type.Optional(Type.Boolean()) }), response: { 200: ref(PersonExport) } } },
    async (req, reply) => {
      // Only what the customer proved: their account (its e-mail once verified) and their own browsers.
      const data = await exportPerson(ctx.db, { customerId: req.principal!.id }, 'self');
      reply.header('cache-control', 'no-store');
      if (req.query.download) reply.header('content-disposition', `attachment; filename="winkel-export-${data.generatedAt.slice(0, 10)}.json"`);
      return data;
    },
  );

  app.post(
    '/v1/privacy/erasures',
    {
      config: { access: { permission: 'privacy:erase' } },
      schema: {
        tags,
        summary: 'Erase a person in every module (GDPR right to erasure)',
        description: 'Deletes or anonymises everything about the person in one transaction; orders stay for bookkeeping without personal data. Emits customer.erased. Cannot be undone.',
        body: EraseBody,
        response: { 201: ref(Erasure) },
      },
    },
    async (req, reply) => {
      const { reason, ...rest } = req.body as Static<typeof EraseBody>;
      const r = await erasePerson(ctx.db, requestContext(req), subjectOf(rest, 'body'), reason, 'staff');
      return reply.code(201).send(r);
    },
  );

  app.post(
    '/v1/me/erasure',
    {
      config: { access: 'customer' },
      schema: {
        tags,
        summary: 'Erase me: my account and everything Winkel holds on me (signed-in customer)',
        description: 'Asks for the password again. Orders stay for bookkeeping without personal data. Cannot be undone; the session ends with it.',
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 201: ref(Erasure) },
      },
    },
    async (req, reply) => {
      const customerId = req.principal!.id;
      if (!(await passwordMatches(ctx.db, customerId, req.body.password))) throw forbidden('The password is not right; nothing was erased.');
      const r = await erasePerson(ctx.db, requestContext(req), { customerId }, 'Requested by the customer from their account.', 'self');
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/v1/privacy/erasures',
    {
      config: { access: { permission: 'privacy:read' } },
      schema: {
        tags,
        summary: 'Erasures done, newest first (proof without personal data)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 200: Type.Object({ data: Type.Array(ref(Erasure)), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const found = await listErasures(ctx.db, limit, decodeCursor(req.query.cursor));
      const page = found.slice(0, limit);
      // Raw rows: actor and summary are the jsonb erasePerson wrote.
      return {
        data: page.map((r) => ({ id: String(r.id), reason: String(r.reason), actor: r.actor as Static<typeof ActorOut>, summary: r.summary as ErasureSummary, createdAt: new Date(r.created_at as string).toISOString() })),
        hasMore: found.length > limit,
        nextCursor: found.length > limit ? encodeCursor(String(page[page.length - 1].id)) : null,
      };
    },
  );
}
