// Builds the HTTP server from the platform pieces and the modules. Routes are registered by each
// module; this file owns the cross-cutting rules: who may call what, errors as problem+json,
// idempotency, rate limits, OpenAPI, and serving the web app.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { rootPath } from './platform/paths.js';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Config } from './platform/config.js';
import { isRetryable, sqlState, type Db } from './platform/db.js';
import { Problem, problemType, unauthorized, forbidden } from './platform/errors.js';
import { describeFieldError, fieldErrors } from './platform/http/validation.js';
import { SECURITY_SCHEMES, type AccessRule, type Principal } from './platform/http/access.js';
import { OpenApiDocumenter } from './platform/http/openapi.js';
import { EVENT_TYPES } from './events.js';
import { idempotencyHooks } from './platform/http/idempotency.js';
import { budgetOf, clientAddress } from './platform/http/rate-limit.js';
import { SHARED_SCHEMAS } from './platform/http/schemas.js';
import { boundRequestSchema, clientErrorAsProblem, findBadText, malformedQuery, refuseNonFiniteNumbers, saneDateFormats, uniqueViolationProblem } from './platform/http/request-limits.js';
import { randomBytes } from 'node:crypto';
import { type StaffPrincipals, accessRoutes } from './modules/access/index.js';
import { ALL_STORES_PERMISSIONS } from './platform/access/permissions.js';
import { assertAllStores } from './platform/access/scope.js';
import { resolveCustomer, accountRoutes } from './modules/accounts/index.js';
import { auditRoutes } from './modules/audit/index.js';
import { webhookRoutes } from './modules/webhooks/index.js';
import { devtoolsRoutes } from './modules/devtools/index.js';
import { systemRoutes } from './modules/system/index.js';
import { catalogRoutes, pricedVariants, AnswerCache, CatalogWords } from './modules/catalog/index.js';
import { pricingRoutes } from './modules/pricing/index.js';
import { importRoutes } from './modules/imports/index.js';
import { inventoryRoutes, purchasingRoutes } from './modules/inventory/index.js';
import { promotionRoutes, PromotionCache } from './modules/promotions/index.js';
import { commerceRoutes, paymentOrders } from './modules/commerce/index.js';
import { paymentRoutes } from './modules/payments/index.js';
import type { PaymentOrders } from './modules/payments/index.js';
import type { OrderFulfilments } from './modules/commerce/index.js';
import { orderFulfilments, fulfilmentRoutes } from './modules/fulfilment/index.js';
import type { PricedVariants } from './modules/pricing/index.js';
import { returnRoutes } from './modules/returns/index.js';
import { customerRoutes, profileRoutes } from './modules/customers/index.js';
import { storefrontRoutes } from './modules/storefront/index.js';
import { consentRoutes } from './modules/consent/index.js';
import { sdkRoutes } from './modules/sdk/index.js';
import { privacyRoutes } from './modules/privacy/index.js';
import { receiptRoutes } from './modules/receipts/index.js';
import { paymentProviders } from './modules/payments/index.js';
import { FlowRunner } from './platform/flows/runner.js';
import { registerFlows } from './flows/index.js';
import { onEmitted } from './platform/events/outbox.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
    /**
     * Every POST takes Idempotency-Key (docs/API.md) unless this is false, which only sign-in and
     * sign-out may set: they create nothing to be duplicated, and their answers must not be stored.
     * The OpenAPI document declares the header on exactly the POSTs without it.
     */
    idempotent?: boolean;
    /**
     * A query parameter that carries a publishable key, for callers that cannot send headers
     * (navigator.sendBeacon): the request then counts against that key's budget for its address.
     */
    keyInQuery?: string;
    /** The handler checks each item of the body for text the database cannot hold (see findBadText), keeping the good ones. */
    itemChecks?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** Whose request-rate budget this request spends (see the rate limit in buildApp). */
    rateBucket?: string;
  }
}

export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  publicUrl: string;
  embedded: boolean;
  staffPrincipals: StaffPrincipals;
  /** Wake background senders after a change that gives them work. */
  wake: { webhooks(): void };
  /** The compiled active promotions; rebuilt after changes. */
  promotionCache?: PromotionCache;
  /** Runs durable flows (checkout); the same runner the process's recovery loop uses. */
  flows?: FlowRunner;
  /** Recent product-list answers (see src/modules/catalog/answer-cache.ts). */
  catalogAnswers?: AnswerCache;
  /** The catalog's words for typo tolerance in search (catalog/words.ts). */
  catalogWords?: CatalogWords;
  version: string;
}

/**
 * Ports between modules that must not import each other: the module that calls one declares it,
 * the module that owns the data answers it, and they are joined here.
 */
export interface ModulePorts {
  /** Payments keeps the payment ledger of commerce's orders. */
  paymentOrders: PaymentOrders;
  /** Order edits take lines off (or move them between) fulfilment's pick tasks. */
  orderFulfilments: OrderFulfilments;
  /** Pricing keeps prices per variant of the catalog (which shows pricing's prices). */
  pricedVariants: PricedVariants;
}

/** What route registrations get: the app context with the ports joined. */
export type WiredContext = AppContext & ModulePorts;

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

type RequestHook = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
/** A route's hooks of one kind as a list (Fastify takes one hook or a list). */
const hooksOf = <H>(hooks: H | H[] | undefined): H[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/** Short, unique per process and cheap: a random process prefix and a counter. */
const REQUEST_PREFIX = `req_${randomBytes(5).toString('hex')}`;
let requestCounter = 0;
function nextRequestId() {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${REQUEST_PREFIX}${requestCounter.toString(36)}`;
}

/** What helmet would set, computed once. No upgrade-insecure-requests: shops use plain http on their LAN too. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data: https:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const API_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': SECURITY_HEADERS['strict-transport-security']!,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const WEB_DIST = rootPath('web/dist');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The shape of every token Winkel issues: staff and customer sessions, secret and publishable keys. */
const TOKEN_SHAPE = /^(wst|wct|sk|pk)_[A-Za-z0-9_-]{16,200}$/;

function principalLabel(p: Principal) {
  return p.kind === 'staff' ? `role ${p.role}` : p.kind === 'secret_key' ? 'API key' : p.kind === 'publishable_key' ? 'publishable key' : 'customer session';
}

export function authorize(rule: AccessRule, principal: Principal | undefined) {
  if (rule === 'public') return;
  if (!principal) throw unauthorized();
  if (rule === 'customer') {
    if (principal.kind !== 'customer') throw forbidden('Only a signed-in customer can do this; sign in with POST /v1/customer-auth/sign-in.');
    return;
  }
  if (rule === 'staff') {
    if (principal.kind !== 'staff') throw forbidden('Only a signed-in staff user can do this; sign in with POST /v1/auth/sign-in.');
    return;
  }
  if (rule === 'any') return;
  const needed = rule.permission;
  if ((principal.kind === 'customer' || principal.kind === 'publishable_key') && needed !== 'storefront') {
    throw forbidden(`This route needs permission \`${needed}\`, which only staff sessions and secret keys can hold.`);
  }
  if (!principal.permissions.has(needed)) throw forbidden(`This route needs permission \`${needed}\`, which your ${principalLabel(principal)} does not have.`);
  // Asked about any permission name: the set holds only permissions, so a string finds nothing else.
  if ((ALL_STORES_PERMISSIONS as ReadonlySet<string>).has(needed)) assertAllStores(principal, `What \`${needed}\` opens`);
}

export async function buildApp(input: AppContext): Promise<App> {
  const promotionCache = input.promotionCache ?? new PromotionCache();
  const flows = input.flows ?? new FlowRunner(input.db, input.log, { leaseMs: input.config.flowLeaseMs });
  // The flows this app starts, with this app's promotions and payment providers.
  registerFlows(flows, { db: input.db, cache: promotionCache, providers: paymentProviders(input.db, { testGatewaySecret: input.config.testGatewaySecret }) });
  const ctx: WiredContext & { promotionCache: PromotionCache; catalogAnswers: AnswerCache; catalogWords: CatalogWords; flows: FlowRunner } = {
    ...input,
    paymentOrders,
    orderFulfilments,
    pricedVariants,
    promotionCache,
    flows,
    catalogAnswers: input.catalogAnswers ?? new AnswerCache({ ttlMs: input.config.catalogCacheTtlMs }),
    catalogWords: input.catalogWords ?? new CatalogWords({ onError: (err) => input.log.warn({ err }, 'catalog words: could not read them again; using the ones held') }),
  };
  const app = Fastify({
    loggerInstance: ctx.log,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{8,80}$/.test(given) ? given : nextRequestId();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace' }),
    bodyLimit: 10 * 1024 * 1024,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, useDefaults: true }, onCreate: saneDateFormats },
    clientErrorHandler: clientErrorAsProblem(nextRequestId),
    // Errors the router answers before any route runs (an over-long path parameter, a malformed
    // percent-encoding) are problem documents like every other.
    frameworkErrors: (err, req, reply) => {
      reply.headers(API_SECURITY_HEADERS);
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(
        new Problem(
          tooLong
            ? { status: 414, code: 'uri_too_long', title: 'URI too long', detail: 'A path segment is longer than any id or code this API uses (at most 100 characters).' }
            : { status: 400, code: 'malformed', title: 'The request is not valid', detail: 'The path is not valid: a percent sign must be followed by two hexadecimal digits.' },
        ),
        req,
        reply,
      );
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  // Changes this process records drop the remembered product lists at once.
  const stopListening = onEmitted((types) => {
    ctx.catalogAnswers.onEvents(types);
    if (types.some((t) => t.startsWith('product.'))) ctx.catalogWords.changed();
  });
  app.addHook('onClose', async () => void stopListening());

  const routePatterns: Array<{ method: string; re: RegExp }> = [];
  // Request schemas, given their default bounds once every route and named schema is registered.
  const requestSchemas: Array<{ schema: unknown; close: boolean }> = [];
  const idempotency = idempotencyHooks(ctx.db, ctx.config.idempotencyHours, { spoolDir: path.join(ctx.config.dataDir, 'uploads') });
  // Who is calling: resolved before validation, so a 401/403 never depends on the body.
  const resolveToken = (token: string | undefined): Promise<Principal | null> | null =>
    // Only a token of a kind Winkel issues is looked up; anything else is unknown without a query.
    token && TOKEN_SHAPE.test(token) ? (token.startsWith('wct_') ? resolveCustomer(ctx.db, token) : ctx.staffPrincipals.resolve(token)) : null;
  // Step 1: who is calling, and so whose budget the request spends. A credential that is unknown,
  // expired, revoked or malformed spends the client address's budget, like no credential at all,
  // so sending a new junk token with every request does not buy a new budget.
  const identify = async (req: FastifyRequest) => {
    const address = clientAddress(req.ip);
    const header = req.headers.authorization;
    const principal = header ? await resolveToken(/^Bearer\s+(\S+)$/i.exec(header)?.[1]) : null;
    if (principal) req.principal = principal;
    else if (header) rejectedCredential.add(req);
    const inQuery = req.routeOptions.config.keyInQuery;
    const queried = !principal && inQuery ? await resolveToken(String((req.query as Record<string, unknown>)?.[inQuery] ?? '')) : null;
    req.rateBucket = budgetOf(principal ?? (queried?.kind === 'publishable_key' ? queried : null), address);
  };
  // Step 3, after the rate limit: the route's access rule.
  const authenticate = async (req: FastifyRequest) => {
    const rule = req.routeOptions.config.access!;
    if (rejectedCredential.has(req) && rule !== 'public') throw unauthorized('The credential is unknown, expired or revoked.');
    authorize(rule, req.principal);
  };
  const rejectedCredential = new WeakSet<FastifyRequest>();
  // Step 2: the request rate per budget; set once the plugin is registered below.
  let rateLimitHook: RequestHook | undefined;

  const documenter = new OpenApiDocumenter((rule) => (typeof rule === 'object' && (ALL_STORES_PERMISSIONS as ReadonlySet<string>).has(rule.permission) ? ' Not for staff or keys scoped to stores (403): it spans every store.' : ''), EVENT_TYPES);
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const methods = ([] as string[]).concat(route.method);
    for (const m of methods) routePatterns.push({ method: m, re: new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}$`) });
    // A copy: Fastify hands the same schema object to the HEAD route it adds for each GET.
    if (route.schema) route.schema = { ...route.schema };
    if (url.startsWith('/v1')) {
      if (!route.config?.access) throw new Error(`route ${methods.join(',')} ${url} declares no access rule (config.access)`);
      // Who may call: on the route itself, first, so other paths pay nothing for it.
      // Routes with a limit of their own (sign-in) keep only that one.
      const limit = rateLimitHook && !route.config?.rateLimit ? [rateLimitHook] : [];
      route.onRequest = [identify, ...limit, authenticate, ...hooksOf(route.onRequest)];
      if (methods.includes('POST') && route.config?.idempotent !== false) {
        route.preHandler = [...hooksOf(route.preHandler), idempotency.preHandler];
        route.onSend = [...hooksOf(route.onSend), idempotency.onSend];
      }
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      requestSchemas.push({ schema: schema.body, close: true }, { schema: schema.querystring, close: false }, { schema: schema.params, close: false });
    }
    // Its name (operationId), who may call it and the rest the OpenAPI document says of every operation.
    documenter.route(route);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Winkel API',
        version: ctx.version,
        description:
          'The API of Winkel, the open omnichannel retail platform. Everything the web apps do goes through it. See docs/API.md for ids, pagination, errors, idempotency, versions and webhook signatures.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        // Whoever runs this installation answers for it; its own address is where to find them.
        contact: { name: 'This Winkel installation', url: ctx.publicUrl },
      },
      servers: [{ url: ctx.publicUrl }],
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transformObject: (document) => documenter.finish((document as { openapiObject: Record<string, unknown> }).openapiObject),
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) ?? `Schema${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, persistAuthorization: true },
    // No upgrade-insecure-requests: shops reach Winkel over plain http on their LAN too.
    staticCSP: "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'self'",
  });

  await app.register(cors, {
    origin: true,
    methods: [...METHODS],
    // An OPTIONS request that is not a browser's pre-flight gets the same 204 (with Allow-Methods)
    // instead of a plain-text 400.
    strictPreflight: false,
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id', 'winkel-cart-secret'],
    exposedHeaders: ['etag', 'idempotent-replayed', 'retry-after', 'x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    // Not on every route: app.ts puts it on each /v1 route, between identifying the caller and
    // checking the access rule, so refused credentials count too (see identify above).
    global: false,
    max: ctx.config.apiRateLimit || 1_000_000,
    timeWindow: '1 minute',
    keyGenerator: (req) => req.rateBucket ?? `ip:${clientAddress(req.ip)}`,
    enableDraftSpec: true,
    errorResponseBuilder: (_req, context) =>
      new Problem({
        status: 429,
        code: 'rate_limited',
        title: 'Too many requests',
        detail: `At most ${context.max} requests per ${context.after === '1 minute' ? 'minute' : context.after}; try again in ${Math.ceil(context.ttl / 1000)} s.`,
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });
  if (ctx.config.apiRateLimit > 0) {
    // The plugin types its hook with the app's logger (pino's Logger); route options take hooks typed
    // with Fastify's base logger, which lacks pino's `msgPrefix`. Fastify calls it the same either way.
    rateLimitHook = app.rateLimit() as unknown as RequestHook;
  }

  // Security headers and the request id on every answer, set once per request from a fixed list.
  app.addHook('onRequest', (req, reply, done) => {
    // API answers are JSON for programs: they need no browser policy for scripts, fonts or frames
    // beyond refusing to be framed or sniffed. Pages, assets and the docs get the full set.
    reply.headers(req.url.startsWith('/v1/') || req.url === '/health' || req.url === '/ready' ? API_SECURITY_HEADERS : SECURITY_HEADERS);
    reply.header('x-request-id', req.id);
    done();
  });

  // PostgreSQL cannot store a NUL character or a lone surrogate in text, and JSON nested thousands
  // deep overflows the stack of whatever walks it: a request with one gets a 400 naming the field
  // before anything runs. A route that checks each item of a batch itself (`config.itemChecks`) gets
  // its body unchecked here, so one bad item does not cost the good ones.
  app.addHook('preValidation', (req, _reply, done) => {
    const bad = malformedQuery(req.url) ?? findBadText(req.query, 'query') ?? findBadText(req.params, 'path') ?? (req.routeOptions.config?.itemChecks ? undefined : findBadText(req.body, 'body'));
    if (bad) done(new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: `Fix these fields: ${describeFieldError(bad)}.`, errors: [bad] }));
    else done();
  });

  // After validation: query and path numbers that coercion made infinite are refused.
  app.addHook('preHandler', refuseNonFiniteNumbers);

  app.setErrorHandler((err: FastifyError | Problem, req, reply) => sendProblem(err, req, reply));

  app.setNotFoundHandler(async (req, reply) => {
    const url = req.url.split('?')[0];
    const allowed = [...new Set(routePatterns.filter((r) => r.re.test(url)).map((r) => r.method))].filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    // Only a method the path lacks is a 405; a path the router did not take with an allowed method
    // is a path problem (a 404 below).
    if (allowed.length && !allowed.includes(req.method === 'HEAD' ? 'GET' : req.method)) {
      return sendProblem(
        new Problem({ status: 405, code: 'method_not_allowed', title: 'Method not allowed', detail: `${req.method} is not supported here; use ${allowed.join(', ')}.`, headers: { allow: allowed.join(', ') } }),
        req,
        reply,
      );
    }
    const isApi = url.startsWith('/v1') || url.startsWith('/docs') || url === '/openapi.json';
    // A missing file (an old asset after a deploy) is a 404, not the app's page.
    const looksLikeFile = /\.[a-z0-9]{1,8}$/i.test(url);
    if (!isApi && !looksLikeFile && req.method === 'GET' && ctx.config.serveWeb && existsSync(path.join(WEB_DIST, 'index.html'))) {
      return reply.type('text/html').sendFile('index.html', WEB_DIST, { maxAge: 0 });
    }
    const slashless = url.length > 1 && url.endsWith('/') ? url.replace(/\/+$/, '') : undefined;
    const hint = slashless && routePatterns.some((r) => r.re.test(slashless)) ? ` Did you mean ${slashless} (without the trailing slash)?` : ' The API lives under /v1; see /docs.';
    return sendProblem(new Problem({ status: 404, code: 'not_found', title: 'Not found', detail: `Nothing at ${req.method} ${url}.${hint}` }), req, reply);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (ctx.config.serveWeb && existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: '/',
      // Serve what is in web/dist now, so a rebuild needs no restart; unknown paths fall through
      // to the not-found handler (the app's page, or a 404 for files).
      wildcard: true,
      index: ['index.html'],
      setHeaders: (res, filePath) => {
        if (filePath.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }

  // Registered on the root instance so every module's named schemas reach the OpenAPI document.
  for (const routes of [systemRoutes, accessRoutes, accountRoutes, auditRoutes, webhookRoutes, devtoolsRoutes, catalogRoutes, pricingRoutes, importRoutes, inventoryRoutes, purchasingRoutes, promotionRoutes, paymentRoutes, commerceRoutes, returnRoutes, fulfilmentRoutes, receiptRoutes, customerRoutes, profileRoutes, storefrontRoutes, consentRoutes, sdkRoutes, privacyRoutes]) await routes(app, ctx);
  documenter.checkComplete();

  // Before the validators are compiled (at ready): default bounds on every request schema.
  const seen = { bodies: new Set<unknown>(), others: new Set<unknown>() };
  for (const { schema, close } of requestSchemas) boundRequestSchema(schema, (id) => app.getSchema(id), { close, seen: close ? seen.bodies : seen.others });

  return app;
}

export function sendProblem(err: FastifyError | Problem | Error, req: FastifyRequest, reply: FastifyReply) {
  let problem: Problem;
  let unique: Problem | undefined;
  const fe = err as FastifyError & { validationContext?: string };
  if (err instanceof Problem) {
    problem = err;
  } else if (fe.validation) {
    const errors = fieldErrors(fe.validation, fe.validationContext);
    problem = new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: `Fix these fields: ${errors.map(describeFieldError).join('; ')}.`, errors });
  } else if (fe.statusCode === 429) {
    problem = new Problem({ status: 429, code: 'rate_limited', title: 'Too many requests', detail: fe.message });
  } else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    problem = new Problem({ status: 413, code: 'payload_too_large', title: 'Payload too large', detail: fe.message });
  } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    problem = new Problem({ status: 415, code: 'unsupported_media_type', title: 'Unsupported media type', detail: 'Send the body as application/json.' });
  } else if (fe.code?.startsWith('FST_ERR_CTP_') || fe.statusCode === 400) {
    problem = new Problem({ status: 400, code: 'malformed', title: 'The request is not valid', detail: fe.message });
  } else if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    problem = new Problem({ status: fe.statusCode, code: 'client_error', title: 'The request is not valid', detail: fe.message });
  } else if (['22021', '22P05'].includes(sqlState(err) ?? '')) {
    // A character the database cannot store got past the checks (the change was rolled back).
    problem = new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: 'The request holds a character that cannot be stored as text (such as a NUL character); remove it.' });
  } else if ((unique = uniqueViolationProblem(err))) {
    // A unique key the code did not check first (a race, or a field nobody expected to clash):
    // logged, so that a service can learn to answer it with its own code.
    // (Without the error itself: its detail repeats the value, which may be an e-mail address.)
    req.log.warn({ code: '23505', fields: unique.errors?.map((e) => e.field) }, 'unique violation answered as 409 conflict');
    problem = unique;
  } else if (isRetryable(err)) {
    problem = new Problem({ status: 409, code: 'concurrent_update', title: 'Conflict', detail: 'Another change got there first; retry the request.' });
  } else {
    req.log.error({ err, code: fe.code }, 'unhandled error');
    problem = new Problem({ status: 500, code: 'internal', title: 'Internal server error', detail: 'Something went wrong on our side. Quote the requestId when you report it.' });
  }
  if (problem.headers) for (const [k, v] of Object.entries(problem.headers)) reply.header(k, v);
  // Also on answers the router gives before any hook ran (frameworkErrors).
  reply.header('x-request-id', String(req.id));
  const body = {
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    instance: req.url.split('?')[0],
    code: problem.code,
    requestId: String(req.id),
    ...(problem.errors ? { errors: problem.errors.map((e) => ({ field: e.field, in: e.in ?? 'body', message: e.message })) } : {}),
    ...(problem.extra ?? {}),
  };
  return reply.code(problem.status).type('application/problem+json').serializer(JSON.stringify).send(body);
}
