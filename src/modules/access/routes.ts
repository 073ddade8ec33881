// Staff sign-in and sessions, staff users and roles, API keys.
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../../app.js';
import { clientAddress } from '../../platform/http/rate-limit.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, NullableTimestamp, Page, PageQuery, ref, Timestamp, withHeaders } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import { PERMISSIONS, ROLE_DESCRIPTIONS, ROLE_PERMISSIONS, ROLES } from '../../platform/access/permissions.js';
import { assertCovers, assertHoldsRole, grantableStores, storeScope } from '../../platform/access/scope.js';
import * as access from './service.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'See GET /v1/roles.' });
const StoreIds = Type.Union([Type.Array(Type.String({ minLength: 1 }), { maxItems: 500 }), Type.Null()], { description: 'Stores this user or key may act for; null = all.' });

export const StaffUser = Type.Object(
  {
    id: Type.String({ description: 'stf_…' }),
    email: Type.String(),
    name: Type.String(),
    role: Type.String(),
    storeIds: StoreIds,
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    lastSignInAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'StaffUser' },
);
const StaffUserPage = Page(ref(StaffUser), 'StaffUser');
const CreatedStaffUser = Type.Object(
  { user: ref(StaffUser), generatedPassword: Type.Optional(Type.String({ description: 'Only when no password was given; shown once.' })) },
  { $id: 'CreatedStaffUser' },
);
const Session = Type.Object(
  { token: Type.String({ description: 'Bearer token; shown once.' }), sessionId: Type.String(), expiresAt: Timestamp, user: ref(StaffUser) },
  { $id: 'StaffSession' },
);
const SessionInfo = Type.Object(
  { id: Type.String(), createdAt: Timestamp, expiresAt: Timestamp, ip: Type.Union([Type.String(), Type.Null()]), userAgent: Type.Union([Type.String(), Type.Null()]), current: Type.Boolean() },
  { $id: 'SessionInfo' },
);
const Me = Type.Object(
  {
    kind: Type.String({ description: 'staff, secret_key, publishable_key or customer' }),
    id: Type.String(),
    label: Type.String(),
    role: Type.Union([Type.String(), Type.Null()]),
    permissions: Type.Array(Type.String()),
    storeIds: StoreIds,
  },
  { $id: 'Me' },
);
const RoleInfo = Type.Object({ name: Type.String(), description: Type.String(), permissions: Type.Array(Type.String()) }, { $id: 'Role' });
const RoleList = Type.Object({ roles: Type.Array(ref(RoleInfo)), permissions: Type.Array(Type.String()) }, { $id: 'RoleList' });

export const ApiKey = Type.Object(
  {
    id: Type.String({ description: 'key_…' }),
    kind: Type.Union([Type.Literal('secret'), Type.Literal('publishable')]),
    name: Type.String(),
    tokenHint: Type.String({ description: 'Start and end of the token, to tell keys apart.' }),
    scopes: Type.Array(Type.String()),
    storeIds: StoreIds,
    createdBy: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    lastUsedAt: NullableTimestamp,
    revokedAt: NullableTimestamp,
    version: Type.Integer(),
  },
  { $id: 'ApiKey' },
);
const ApiKeyPage = Page(ref(ApiKey), 'ApiKey');
const CreatedApiKey = Type.Object({ apiKey: ref(ApiKey), token: Type.String({ description: 'The key itself (sk_… or pk_…); shown only in this answer.' }) }, { $id: 'CreatedApiKey' });

export async function accessRoutes(app: App, ctx: AppContext) {
  for (const s of [StaffUser, StaffUserPage, CreatedStaffUser, Session, SessionInfo, Me, RoleInfo, RoleList, ApiKey, ApiKeyPage, CreatedApiKey]) app.addSchema(s);
  const clear = () => ctx.staffPrincipals.clear();
  const tags = ['staff'];
  // Sign-in and password reset: SIGN_IN_RATE_LIMIT per minute per client address.
  const signInLimit = { max: ctx.config.signInRateLimit, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `signin:${clientAddress(req.ip)}` };

  app.post(
    '/v1/auth/sign-in',
    {
      config: { access: 'public', idempotent: false, rateLimit: signInLimit },
      schema: {
        tags,
        summary: 'Staff sign-in: exchange e-mail and password for a session token',
        body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: ref(Session) },
      },
    },
    async (req) => {
      const { token, session, user } = await access.staffSignIn(ctx.db, req.body.email, req.body.password, ctx.config.staffSessionHours, { ip: req.ip, userAgent: req.headers['user-agent'] });
      return { token, sessionId: session.id, expiresAt: session.expiresAt.toISOString(), user: access.publicStaff(user) };
    },
  );

  app.post(
    '/v1/auth/password-reset',
    {
      config: { access: 'public', rateLimit: signInLimit },
      schema: {
        tags,
        summary: 'Ask for a staff password-reset e-mail',
        description:
          'Always answers 202, whether or not the address belongs to an active staff user, so it cannot be used to find out who works here. The e-mail (in `locale`, English by default) links to the sign-in page’s reset form with a single-use token valid for one hour.',
        body: Type.Object({ email: Email, locale: Type.Optional(Type.Union([Type.Literal('nl'), Type.Literal('en')])) }, { additionalProperties: false }),
        response: { 202: Type.Object({ status: Type.Literal('accepted') }) },
      },
    },
    async (req, reply) => {
      await access.requestStaffPasswordReset(ctx.db, req.body.email, ctx.publicUrl, req.body.locale);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/v1/auth/password-reset/confirm',
    {
      config: { access: 'public', rateLimit: signInLimit },
      schema: {
        tags,
        summary: 'Set a new staff password with the token from the e-mail; ends all the user’s sessions',
        description: '422 `reset_token_invalid` for an unknown, used or expired token (or a user disabled since); 400 when the password is too weak.',
        body: Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Type.String({ minLength: 10, maxLength: 200, description: 'At least 10 characters.' }) }, { additionalProperties: false }),
        response: { 200: ref(StaffUser) },
      },
    },
    async (req) => access.publicStaff(await access.resetStaffPassword(ctx.db, req.body.token, req.body.password, clear)),
  );

  app.post(
    '/v1/auth/sign-out',
    { config: { access: 'staff', idempotent: false }, schema: { tags, summary: 'End the current staff session', response: { 204: Type.Null() } } },
    async (req, reply) => {
      const p = access.requireStaff(req.principal);
      await access.revokeStaffSession(ctx.db, requestContext(req), p.id, p.sessionId);
      clear();
      return reply.code(204).send(null);
    },
  );

  app.get('/v1/auth/me', { config: { access: 'any' }, schema: { tags, summary: 'Who am I: the caller and its permissions', response: { 200: ref(Me) } } }, async (req) => {
    const p = req.principal!;
    return {
      kind: p.kind,
      id: p.id,
      label: p.label,
      role: p.kind === 'staff' ? p.role : null,
      permissions: [...p.permissions].sort(),
      storeIds: p.kind === 'staff' || p.kind === 'secret_key' ? p.storeIds : null,
    };
  });

  app.get('/v1/auth/sessions', { config: { access: 'staff' }, schema: { tags, summary: 'My active staff sessions', response: { 200: Type.Object({ data: Type.Array(ref(SessionInfo)) }) } } }, async (req) => {
    const p = access.requireStaff(req.principal);
    const rows = await access.listStaffSessions(ctx.db, p.id);
    return { data: rows.map((s) => ({ id: s.id, createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString(), ip: s.ip, userAgent: s.userAgent, current: s.id === p.sessionId })) };
  });

  app.delete(
    '/v1/auth/sessions/:id',
    { config: { access: 'staff' }, schema: { tags, summary: 'Revoke one of my staff sessions', params: IdParam, response: { 204: Type.Null() } } },
    async (req, reply) => {
      const p = access.requireStaff(req.principal);
      await access.revokeStaffSession(ctx.db, requestContext(req), p.id, req.params.id);
      clear();
      return reply.code(204).send(null);
    },
  );

  app.get('/v1/roles', { config: { access: 'staff' }, schema: { tags, summary: 'Roles and the permissions each one grants', response: { 200: ref(RoleList) } } }, async () => ({
    roles: ROLES.map((name) => ({ name, description: ROLE_DESCRIPTIONS[name], permissions: [...ROLE_PERMISSIONS[name]] })),
    permissions: [...PERMISSIONS],
  }));

  app.get(
    '/v1/staff-users',
    {
      config: { access: { permission: 'staff:read' } },
      schema: {
        tags,
        summary: 'List staff users',
        querystring: Type.Intersect([PageQuery, Type.Object({ role: Type.Optional(RoleName), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])) })]),
        response: { 200: ref(StaffUserPage) },
      },
    },
    async (req) => {
      const page = await access.listStaffUsers(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor, role: req.query.role, status: req.query.status, within: storeScope(req.principal) ?? undefined });
      return { ...page, data: page.data.map(access.publicStaff) };
    },
  );

  app.post(
    '/v1/staff-users',
    {
      config: { access: { permission: 'staff:write' } },
      schema: {
        tags,
        summary: 'Create a staff user',
        description: 'Without a password, one is generated and returned once.',
        body: Type.Object(
          { email: Email, name: Type.String({ minLength: 1, maxLength: 200 }), role: RoleName, storeIds: Type.Optional(StoreIds), password: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: withHeaders(ref(CreatedStaffUser), 'etag', 'location') },
      },
    },
    async (req, reply) => {
      assertHoldsRole(req.principal, req.body.role, 'The new staff user');
      const { user, generatedPassword } = await access.createStaffUser(ctx.db, requestContext(req), { ...req.body, storeIds: grantableStores(req.principal, req.body.storeIds) });
      reply.code(201).header('etag', etag(user.version)).header('location', `/v1/staff-users/${user.id}`);
      return { user: access.publicStaff(user), ...(generatedPassword ? { generatedPassword } : {}) };
    },
  );

  app.get('/v1/staff-users/:id', { config: { access: { permission: 'staff:read' } }, schema: { tags, summary: 'Get a staff user', params: IdParam, response: { 200: withHeaders(ref(StaffUser), 'etag') } } }, async (req, reply) => {
    const u = await access.getStaffUser(ctx.db, req.params.id);
    assertCovers(req.principal, `staff user ${u.id}`, u.storeIds);
    reply.header('etag', etag(u.version));
    return access.publicStaff(u);
  });

  app.patch(
    '/v1/staff-users/:id',
    {
      config: { access: { permission: 'staff:write' } },
      schema: {
        tags,
        summary: 'Change a staff user (name, role, stores, status, password)',
        description: 'Send `If-Match` with the ETag you read to avoid overwriting someone else’s change (412 when stale). Disabling or a new password ends the user’s sessions.',
        params: IdParam,
        headers: IfMatchHeaders,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            role: Type.Optional(RoleName),
            storeIds: Type.Optional(StoreIds),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            password: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: withHeaders(ref(StaffUser), 'etag') },
      },
    },
    async (req, reply) => {
      const current = await access.getStaffUser(ctx.db, req.params.id);
      assertCovers(req.principal, `staff user ${req.params.id}`, current.storeIds);
      assertHoldsRole(req.principal, current.role, `Staff user ${req.params.id}`);
      if (req.body.role) assertHoldsRole(req.principal, req.body.role, `Staff user ${req.params.id}`);
      const patch = req.body.storeIds === undefined ? req.body : { ...req.body, storeIds: grantableStores(req.principal, req.body.storeIds) };
      const u = await access.updateStaffUser(ctx.db, requestContext(req), req.params.id, patch, expectedVersion(req), clear);
      reply.header('etag', etag(u.version));
      return access.publicStaff(u);
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { access: { permission: 'api_keys:read' } },
      schema: { tags: ['api keys'], summary: 'List API keys', querystring: Type.Intersect([PageQuery, Type.Object({ includeRevoked: Type.Optional(Type.Boolean()) })]), response: { 200: ref(ApiKeyPage) } },
    },
    async (req) => {
      const page = await access.listApiKeys(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor, includeRevoked: req.query.includeRevoked, within: storeScope(req.principal) ?? undefined });
      return { ...page, data: page.data.map(access.publicApiKey) };
    },
  );

  app.post(
    '/v1/api-keys',
    {
      config: { access: { permission: 'api_keys:write' } },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key',
        description: 'Secret keys (sk_…) carry the scopes given (never more than the creator has). Publishable keys (pk_…) open storefront routes only and may be shipped to browsers. The token is shown once.',
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('secret'), Type.Literal('publishable')]),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            scopes: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
            storeIds: Type.Optional(StoreIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: withHeaders(ref(CreatedApiKey), 'location') },
      },
    },
    async (req, reply) => {
      const { key, token } = await access.createApiKey(ctx.db, requestContext(req), { ...req.body, storeIds: grantableStores(req.principal, req.body.storeIds) }, req.principal!.permissions);
      reply.code(201).header('location', `/v1/api-keys/${key.id}`);
      return { apiKey: access.publicApiKey(key), token };
    },
  );

  app.get('/v1/api-keys/:id', { config: { access: { permission: 'api_keys:read' } }, schema: { tags: ['api keys'], summary: 'Get an API key', params: IdParam, response: { 200: ref(ApiKey) } } }, async (req) => {
    const k = await access.getApiKey(ctx.db, req.params.id);
    assertCovers(req.principal, `API key ${k.id}`, k.storeIds);
    return access.publicApiKey(k);
  });

  app.post(
    '/v1/api-keys/:id/revoke',
    { config: { access: { permission: 'api_keys:write' } }, schema: { tags: ['api keys'], summary: 'Revoke an API key (takes effect within seconds everywhere)', params: IdParam, response: { 200: ref(ApiKey) } } },
    async (req) => {
      assertCovers(req.principal, `API key ${req.params.id}`, (await access.getApiKey(ctx.db, req.params.id)).storeIds);
      return access.publicApiKey(await access.revokeApiKey(ctx.db, requestContext(req), req.params.id, clear));
    },
  );
}
