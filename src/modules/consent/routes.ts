// Consent routes: staff and integrators read and record consent for any person; a signed-in customer
// reads and changes their own; the browser SDK reads and changes consent for its anonymous id with a
// publishable key; and signed unsubscribe links work without signing in.
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest, Problem, type RequestPart } from '../../platform/errors.js';
import { ref, Timestamp, NullableTimestamp, ActorOut } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import { createUnsubscribeToken, maskEmail, unsubscribeUrl, verifyUnsubscribeToken } from './links.js';
import { configureConsentDefaults, consentsOf, PURPOSES, recordConsents, SOURCES, type ConsentSource, type ConsentSubject, type ConsentRecordRow, type TieScope } from './service.js';

const tags = ['consent'];

const PurposeT = Type.Enum([...PURPOSES], { description: 'What the data may be used for.' });
const ConsentState = Type.Object(
  {
    purpose: PurposeT,
    granted: Type.Boolean(),
    source: Type.Enum([...SOURCES, 'default'], { description: '`default` when nothing is recorded and the configured default applies.' }),
    recordedAt: NullableTimestamp,
    recordId: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'ConsentState' },
);
const ConsentRecord = Type.Object(
  {
    id: Type.String({ description: 'cns_…' }),
    purpose: PurposeT,
    granted: Type.Boolean(),
    source: Type.Enum([...SOURCES]),
    customerId: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    anonymousId: Type.Union([Type.String(), Type.Null()]),
    profileId: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    actor: Type.Union([ActorOut, Type.Null()], { description: 'Who recorded it.' }),
    recordedAt: Timestamp,
  },
  { $id: 'ConsentRecord' },
);
const ConsentOverview = Type.Object(
  {
    current: Type.Array(ref(ConsentState), { description: 'One entry per purpose: the latest decision across all the person’s identifiers, else the default.' }),
    history: Type.Array(ref(ConsentRecord), { description: 'Every decision, newest first.' }),
  },
  { $id: 'ConsentOverview' },
);
const CurrentConsents = Type.Object({ current: Type.Array(ref(ConsentState)) }, { $id: 'CurrentConsents' });
const ConsentChangeT = Type.Object({ purpose: PurposeT, granted: Type.Boolean() }, { additionalProperties: false });
const Changes = Type.Array(ConsentChangeT, { minItems: 1, maxItems: PURPOSES.length });
const SubjectQuery = Type.Object({
  customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
const SetConsents = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    consents: Changes,
    source: Type.Optional(
      Type.Enum(
        ['account', 'unsubscribe', 'checkout', 'sdk', 'api'] as Array<Exclude<ConsentSource, 'staff'>>,
        { description: 'Where the person decided (API keys only; default `api`). Staff changes are always `staff`.' },
      ),
    ),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Required when staff change it: why.' })),
  },
  { additionalProperties: false, $id: 'SetConsents' },
);
const UnsubscribeInfo = Type.Object(
  {
    email: Type.String({ description: 'The address, masked.' }),
    purposes: Type.Array(PurposeT),
    current: Type.Array(ref(ConsentState)),
    expiresAt: NullableTimestamp,
    done: Type.Boolean({ description: 'True once every purpose of the link is withdrawn.' }),
  },
  { $id: 'UnsubscribeInfo' },
);

export function toConsentRecord(r: ConsentRecordRow): Static<typeof ConsentRecord> {
  return { ...r, actor: (r.actor as Static<typeof ActorOut> | null) ?? null, recordedAt: r.recordedAt.toISOString() };
}

function subjectOf(q: Static<typeof SubjectQuery>, part: RequestPart): ConsentSubject {
  const s: ConsentSubject = {};
  if (q.customerId) s.customerId = q.customerId;
  if (q.email) s.email = q.email;
  if (q.anonymousId) s.anonymousId = q.anonymousId;
  if (q.profileId) s.profileId = q.profileId;
  if (!Object.keys(s).length) throw badRequest('Say whose consent: give customerId, email, anonymousId or profileId.', [{ field: '/customerId', in: part, message: 'give at least one identifier' }]);
  return s;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function wantsHtml(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.includes('text/html') && !accept.includes('application/json');
}

function page(reply: FastifyReply, status: number, title: string, body: string) {
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8');
  return reply.send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
      `<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1rem}</style></head>` +
      `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

export async function consentRoutes(app: App, ctx: AppContext) {
  configureConsentDefaults(ctx.config.consentDefaultGranted);
  for (const s of [ConsentState, ConsentRecord, ConsentOverview, CurrentConsents, SetConsents, UnsubscribeInfo]) app.addSchema(s);

  const overview = async (subject: ConsentSubject, scope: TieScope = 'proven') => {
    const o = await consentsOf(ctx.db, subject, 500, scope);
    return { current: o.current, history: o.history.map(toConsentRecord) };
  };

  app.get(
    '/v1/consents',
    {
      config: { access: { permission: 'customers:read' } },
      schema: {
        tags,
        summary: 'A person’s current consent per purpose and the full history',
        description: 'Give any identifiers the person is known by; decisions recorded under any of them count (latest wins).',
        querystring: SubjectQuery,
        response: { 200: ref(ConsentOverview) },
      },
    },
    // Staff and secret keys answer for the identifiers they ask about.
    async (req) => overview(subjectOf(req.query, 'query'), 'staff'),
  );

  app.post(
    '/v1/consents',
    {
      config: { access: { permission: 'customers:write' } },
      schema: {
        tags,
        summary: 'Record consent decisions for a person',
        description: 'Appends to the history; the current state is derived. Staff must give a `reason` (audited); API keys say where the person decided in `source`.',
        body: ref(SetConsents),
        response: { 201: ref(ConsentOverview) },
      },
    },
    async (req, reply) => {
      const b = req.body as Static<typeof SetConsents>;
      const subject = subjectOf(b, 'body');
      const isStaff = req.principal?.kind === 'staff';
      if (isStaff && b.source) throw badRequest('Staff changes are recorded with source `staff`; leave `source` out.', [{ field: '/source', message: 'not for staff' }]);
      const source: ConsentSource = isStaff ? 'staff' : (b.source ?? 'api');
      await ctx.db.transaction((tx) => recordConsents(tx, { subject, changes: b.consents, source, reason: b.reason, ctx: requestContext(req) }));
      return reply.code(201).send(await overview(subject, 'staff'));
    },
  );

  // ---- the signed-in customer -----------------------------------------------------------------
  app.get(
    '/v1/me/consents',
    { config: { access: 'customer' }, schema: { tags, summary: 'My consents and their history (signed-in customer)', response: { 200: ref(ConsentOverview) } } },
    async (req) => overview({ customerId: req.principal!.id }),
  );
  app.put(
    '/v1/me/consents',
    {
      config: { access: 'customer' },
      schema: {
        tags,
        summary: 'Change my consents (signed-in customer, from the account page)',
        body: Type.Object({ consents: Changes }, { additionalProperties: false }),
        response: { 200: ref(ConsentOverview) },
      },
    },
    async (req) => {
      const subject = { customerId: req.principal!.id };
      await ctx.db.transaction((tx) => recordConsents(tx, { subject, changes: req.body.consents, source: 'account', ctx: requestContext(req) }));
      return overview(subject);
    },
  );

  // ---- the browser SDK ------------------------------------------------------------------------
  const SdkQuery = Type.Object({ anonymousId: Type.String({ minLength: 1, maxLength: 200 }) });
  const sdkSubject = (req: FastifyRequest, anonymousId: string): ConsentSubject =>
    req.principal?.kind === 'customer' ? { anonymousId, customerId: req.principal.id } : { anonymousId };
  app.get(
    '/v1/sdk/consents',
    {
      config: { access: { permission: 'storefront' } },
      schema: { tags, summary: 'Current consents of a browser (its anonymous id), for the SDK', querystring: SdkQuery, response: { 200: ref(CurrentConsents) } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return { current: (await consentsOf(ctx.db, sdkSubject(req, req.query.anonymousId), 50)).current };
    },
  );
  app.put(
    '/v1/sdk/consents',
    {
      config: { access: { permission: 'storefront' } },
      schema: {
        tags,
        summary: 'Record a browser’s consent choices (cookie banner), for the SDK',
        description: 'Keyed by the anonymous id (and the customer when a customer session calls); counts for the person once the id is tied to them.',
        body: Type.Object({ anonymousId: Type.String({ minLength: 1, maxLength: 200 }), consents: Changes }, { additionalProperties: false }),
        response: { 200: ref(CurrentConsents) },
      },
    },
    async (req) => {
      const subject = sdkSubject(req, req.body.anonymousId);
      await ctx.db.transaction((tx) => recordConsents(tx, { subject, changes: req.body.consents, source: 'sdk', ctx: requestContext(req) }));
      return { current: (await consentsOf(ctx.db, subject, 50)).current };
    },
  );

  // ---- unsubscribe links ----------------------------------------------------------------------
  app.post(
    '/v1/consents/unsubscribe-links',
    {
      config: { access: { permission: 'marketing:write' } },
      schema: {
        tags,
        summary: 'Make a signed unsubscribe link for an e-mail address (to put in a mail)',
        body: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), purposes: Type.Optional(Type.Array(PurposeT, { minItems: 1, maxItems: PURPOSES.length })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), url: Type.String() }) },
      },
    },
    async (req, reply) => {
      const token = await createUnsubscribeToken(ctx.db, req.body.email, req.body.purposes ?? ['email']);
      return reply.code(201).send({ token, url: unsubscribeUrl(ctx.publicUrl, token) });
    },
  );

  const TokenQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 2000 }) });
  // A person following the link gets a page (Accept: text/html); a program, the JSON.
  const jsonOrPage = {
    description: 'What the link withdraws and where it stands: JSON, or an HTML page for a browser (Accept: text/html).',
    content: { 'application/json': { schema: ref(UnsubscribeInfo) }, 'text/html': { schema: Type.String() } },
  };
  const info = async (token: string) => {
    const t = await verifyUnsubscribeToken(ctx.db, token, ctx.config.unsubscribeLinkDays);
    const { current } = await consentsOf(ctx.db, { email: t.email }, 50);
    const done = t.purposes.every((p) => current.find((c) => c.purpose === p)?.granted === false);
    return { t, body: { email: maskEmail(t.email), purposes: t.purposes, current, expiresAt: t.expiresAt?.toISOString() ?? null, done } };
  };
  const problemPage = (reply: FastifyReply, err: unknown) => {
    if (err instanceof Problem) return page(reply, err.status, err.title, `<p>${escapeHtml(err.detail ?? '')}</p>`);
    throw err;
  };

  app.get(
    '/v1/consents/unsubscribe',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'What an unsubscribe link will withdraw (HTML page with a confirm button, or JSON)',
        description: 'Changes nothing (mail scanners open links); the page’s button POSTs to the same URL. Answers 400 for a tampered link and 410 for an expired one.',
        querystring: TokenQuery,
        response: { 200: jsonOrPage },
      },
    },
    async (req, reply) => {
      const html = wantsHtml(req);
      try {
        const { body } = await info(req.query.token);
        if (!html) return reply.header('cache-control', 'no-store').send(body);
        const what = body.purposes.join(', ');
        return page(
          reply,
          200,
          body.done ? 'You are unsubscribed' : 'Unsubscribe',
          body.done
            ? `<p>${escapeHtml(body.email)} no longer receives messages for: ${escapeHtml(what)}.</p>`
            : `<p>Stop using ${escapeHtml(body.email)} for: <strong>${escapeHtml(what)}</strong>?</p><form method="post" action="/v1/consents/unsubscribe?token=${encodeURIComponent(req.query.token)}"><button type="submit" name="confirm" value="yes">Unsubscribe</button></form>`,
        );
      } catch (err) {
        if (html) return problemPage(reply, err);
        throw err;
      }
    },
  );

  // The POST takes JSON, an HTML form or RFC 8058 one-click (`List-Unsubscribe=One-Click`), so it
  // lives in its own scope with a form parser.
  await app.register(async (plain) => {
    const scope = plain as unknown as App;
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.post(
      '/v1/consents/unsubscribe',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Withdraw the purposes of a signed unsubscribe link (one-click, RFC 8058)',
          description: 'Records the withdrawal with source `unsubscribe` and answers the new state. Repeating it is harmless. 400 for a tampered link, 410 for an expired one (nothing changed).',
          querystring: TokenQuery,
          response: { 200: jsonOrPage },
        },
      },
      async (req, reply) => {
        const html = wantsHtml(req);
        try {
          const { t } = await info(req.query.token);
          const base = requestContext(req);
          await ctx.db.transaction((tx) =>
            recordConsents(tx, {
              subject: { email: t.email },
              changes: t.purposes.map((purpose) => ({ purpose, granted: false })),
              source: 'unsubscribe',
              ctx: { ...base, actor: { type: 'anonymous', label: 'unsubscribe link' } },
            }),
          );
          const { body } = await info(req.query.token);
          if (!html) return reply.header('cache-control', 'no-store').send(body);
          return page(reply, 200, 'You are unsubscribed', `<p>${escapeHtml(body.email)} no longer receives messages for: ${escapeHtml(body.purposes.join(', '))}.</p>`);
        } catch (err) {
          if (html) return problemPage(reply, err);
          throw err;
        }
      },
    );
  });
}
