// Customer accounts: sign-up, sign-in, sign-out, sessions and password reset.
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../../app.js';
import { clientAddress } from '../../platform/http/rate-limit.js';
import { IdParam, ref, Timestamp } from '../../platform/http/schemas.js';
import * as accounts from './service.js';

const tags = ['customer accounts'];
const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 10, maxLength: 200, description: 'At least 10 characters.' });

export const CustomerAccount = Type.Object(
  {
    id: Type.String({ description: 'cus_…' }),
    email: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    locale: Type.String(),
    status: Type.String(),
    createdAt: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'CustomerAccount' },
);
const CustomerSession = Type.Object(
  { token: Type.String({ description: 'Bearer token (wct_…); shown once.' }), sessionId: Type.String(), expiresAt: Timestamp, customer: ref(CustomerAccount) },
  { $id: 'CustomerSession' },
);
const CustomerSessionInfo = Type.Object(
  { id: Type.String(), createdAt: Timestamp, expiresAt: Timestamp, ip: Type.Union([Type.String(), Type.Null()]), userAgent: Type.Union([Type.String(), Type.Null()]), current: Type.Boolean() },
  { $id: 'CustomerSessionInfo' },
);

export async function accountRoutes(app: App, ctx: AppContext) {
  for (const s of [CustomerAccount, CustomerSession, CustomerSessionInfo]) app.addSchema(s);
  const limited = { max: ctx.config.signInRateLimit, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `customer-auth:${clientAddress(req.ip)}` };
  const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });
  const answer = (r: { account: accounts.CustomerAccountRow; token: string; session: { id: string; expiresAt: Date } }) => ({
    token: r.token,
    sessionId: r.session.id,
    expiresAt: r.session.expiresAt.toISOString(),
    customer: accounts.publicAccount(r.account),
  });

  app.post(
    '/v1/customer-auth/sign-up',
    {
      config: { access: 'public', rateLimit: limited },
      schema: {
        tags,
        summary: 'Create a customer account and sign in',
        body: Type.Object(
          { email: Email, password: Password, name: Type.Optional(Type.String({ maxLength: 200 })), locale: Type.Optional(Type.Union([Type.Literal('nl'), Type.Literal('en')])) },
          { additionalProperties: false },
        ),
        response: { 201: ref(CustomerSession) },
      },
    },
    async (req, reply) => {
      const r = await accounts.signUp(ctx.db, req.body, ctx.config.customerSessionDays, meta(req));
      return reply.code(201).send(answer(r));
    },
  );

  app.post(
    '/v1/customer-auth/sign-in',
    {
      config: { access: 'public', idempotent: false, rateLimit: limited },
      schema: {
        tags,
        summary: 'Customer sign-in',
        body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: ref(CustomerSession) },
      },
    },
    async (req) => answer(await accounts.signIn(ctx.db, req.body.email, req.body.password, ctx.config.customerSessionDays, meta(req))),
  );

  app.post(
    '/v1/customer-auth/sign-out',
    { config: { access: 'customer', idempotent: false }, schema: { tags, summary: 'End the current customer session', response: { 204: Type.Null() } } },
    async (req, reply) => {
      const p = req.principal as { id: string; sessionId: string };
      await accounts.revokeSession(ctx.db, p.id, p.sessionId);
      return reply.code(204).send(null);
    },
  );

  app.get('/v1/customer-auth/me', { config: { access: 'customer' }, schema: { tags, summary: 'The signed-in customer', response: { 200: ref(CustomerAccount) } } }, async (req) =>
    accounts.publicAccount(await accounts.getAccount(ctx.db, req.principal!.id)),
  );

  app.get(
    '/v1/customer-auth/sessions',
    { config: { access: 'customer' }, schema: { tags, summary: 'My active sessions', response: { 200: Type.Object({ data: Type.Array(ref(CustomerSessionInfo)) }) } } },
    async (req) => {
      const p = req.principal as { id: string; sessionId: string };
      const rows = await accounts.listSessions(ctx.db, p.id);
      return { data: rows.map((s) => ({ id: s.id, createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString(), ip: s.ip, userAgent: s.userAgent, current: s.id === p.sessionId })) };
    },
  );

  app.delete(
    '/v1/customer-auth/sessions/:id',
    { config: { access: 'customer' }, schema: { tags, summary: 'Revoke one of my sessions (e.g. a lost phone)', params: IdParam, response: { 204: Type.Null() } } },
    async (req, reply) => {
      await accounts.revokeSession(ctx.db, req.principal!.id, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/customer-auth/password-reset',
    {
      config: { access: 'public', rateLimit: limited },
      schema: {
        tags,
        summary: 'Ask for a password-reset e-mail',
        description: 'Always answers 202, whether or not the address has an account, so it cannot be used to find out who shops here.',
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 202: Type.Object({ status: Type.Literal('accepted') }) },
      },
    },
    async (req, reply) => {
      await accounts.requestPasswordReset(ctx.db, req.body.email, ctx.publicUrl);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/v1/customer-auth/password-reset/confirm',
    {
      config: { access: 'public', rateLimit: limited },
      schema: {
        tags,
        summary: 'Set a new password with the token from the e-mail; ends all sessions',
        body: Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password }, { additionalProperties: false }),
        response: { 200: ref(CustomerAccount) },
      },
    },
    async (req) => accounts.publicAccount(await accounts.resetPassword(ctx.db, req.body.token, req.body.password)),
  );
}
