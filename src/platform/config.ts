// Configuration: defaults < winkel.config.json < environment. Validated once at start; every wrong
// value is reported with the setting's name so an operator can fix them all in one go.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'Interface the HTTP server binds to.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: 'HTTP port (0 picks a free one).' }),
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'URL shoppers and e-mails link to.' })),
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL to use; without it Winkel starts an embedded one.' })),
    dataDir: Type.String({ minLength: 1, description: 'Where the embedded PostgreSQL and other local data live.' }),
    dbPoolSize: Type.Integer({ minimum: 1, maximum: 500 }),
    natsUrl: Type.Optional(Type.String({ pattern: '^(nats|tls)://' })),
    natsPrefix: Type.String({ pattern: '^[a-z][a-z0-9_-]*$', description: 'Subject prefix and stream name on NATS, one per Winkel installation.' }),
    adminEmail: Type.String({ format: 'email', description: 'E-mail of the admin created on first start.' }),
    smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    mailFrom: Type.String({ minLength: 3 }),
    mailCatcherPort: Type.Integer({ minimum: 0, maximum: 65535 }),
    logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
    logPretty: Type.Boolean(),
    runWorkers: Type.Boolean({ description: 'Run event relay, webhook delivery and jobs inside `serve` too.' }),
    webhookRetryBaseSeconds: Type.Number({ exclusiveMinimum: 0 }),
    webhookRetryHours: Type.Number({ minimum: 24 }),
    webhookTimeoutMs: Type.Integer({ minimum: 100, maximum: 60000 }),
    flowLeaseMs: Type.Integer({ minimum: 500, maximum: 3_600_000, description: 'How long (ms) a durable flow run stays with its process without a sign of life before another process recovers it.' }),
    flowRecoveryIntervalMs: Type.Integer({ minimum: 50, maximum: 600_000, description: 'How often (ms) workers look for flow runs to recover or wake.' }),
    webhookAllowPrivate: Type.Boolean({ description: 'Also send webhooks to private, loopback, link-local and other internal addresses (for local development only).' }),
    signInRateLimit: Type.Integer({ minimum: 1, description: 'Sign-in attempts per minute per client address.' }),
    apiRateLimit: Type.Integer({ minimum: 0, description: 'Requests per minute on /v1 per secret key or session, and per client address for a publishable key or without a valid credential (0 = off).' }),
    staffSessionHours: Type.Number({ exclusiveMinimum: 0 }),
    customerSessionDays: Type.Number({ exclusiveMinimum: 0 }),
    idempotencyHours: Type.Number({ minimum: 24 }),
    serveWeb: Type.Boolean({ description: 'Serve the built web app at /.' }),
    sourcingPolicy: Type.Union([Type.Literal('balanced'), Type.Literal('nearest'), Type.Literal('cheapest'), Type.Literal('fewest_splits')], { description: 'How the sourcing engine weighs distance, shipping cost, store capacity and splits (docs/commerce.md).' }),
    shipToStore: Type.Boolean({ description: 'Send click & collect lines from a warehouse to the pickup store when the store lacks the stock.' }),
    requireShippingAddress: Type.Boolean({ description: 'Refuse a checkout with home-delivery lines and no shippingAddress (400).' }),
    pickupHoldDays: Type.Integer({ minimum: 1, maximum: 60, description: 'Days a click & collect parcel waits at the store before it is cancelled, restocked and refunded.' }),
    returnWindowDays: Type.Integer({ minimum: 0, maximum: 3650, description: 'Days after the order within which its goods can be returned.' }),
    returnExcludedCategories: Type.String({ pattern: '^[\\w-]*(,[\\w-]+)*$', description: 'Comma-separated category ids whose products cannot be returned (their subcategories too).' }),
    testGatewaySecret: Type.Optional(Type.String({ minLength: 16, description: 'Secret that signs the test card gateway’s webhooks; unset, each installation makes its own (kept in the data directory).' })),
    catalogCacheTtlMs: Type.Integer({ minimum: 0, maximum: 3_600_000, description: 'Longest time (ms) a product-list answer is served from memory; changes drop it at once. 0 turns the cache off.' }),
    lowStockThreshold: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Default low-stock alert threshold (available-to-promise at or below it) for levels and locations without their own.' }),
    consentDefaultGranted: Type.String({
      pattern: '^(none|(email|sms|push|personalisation|profiling|analytics)(,(email|sms|push|personalisation|profiling|analytics))*)$',
      description: 'Consent purposes counted as granted when a person has recorded nothing: `none` or a comma-separated list.',
    }),
    unsubscribeLinkDays: Type.Integer({ minimum: 0, description: 'Days an unsubscribe link keeps working (0 = for ever).' }),
    anonymousEventRetentionDays: Type.Integer({ minimum: 0, description: 'Collected events without a user id older than this are purged daily (0 = keep).' }),
    shopName: Type.String({ minLength: 1, maxLength: 100, description: 'Trading name printed on receipts and order confirmations.' }),
    shopAddress: Type.String({ maxLength: 300, description: 'Postal address on receipts; lines separated by ", " or "|" (empty: left off).' }),
    shopVatNumber: Type.String({ pattern: '^([A-Z]{2}[0-9A-Z]{2,13})?$', description: 'VAT identification number on receipts, e.g. NL123456789B01 (empty: left off).' }),
    shopTimeZone: Type.String({ pattern: '^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$', description: 'IANA time zone receipts show their date and time in (times are stored in UTC).' }),
  },
  { additionalProperties: false },
);
export type Config = Static<typeof ConfigSchema>;

/** Environment variable for each setting; the README table is written from this list. */
export const ENV_NAMES: Record<keyof Config, string> = {
  host: 'HOST',
  port: 'PORT',
  publicUrl: 'PUBLIC_URL',
  databaseUrl: 'DATABASE_URL',
  dataDir: 'WINKEL_DATA_DIR',
  dbPoolSize: 'DB_POOL_SIZE',
  natsUrl: 'NATS_URL',
  natsPrefix: 'NATS_PREFIX',
  adminEmail: 'WINKEL_ADMIN_EMAIL',
  smtpUrl: 'SMTP_URL',
  mailFrom: 'MAIL_FROM',
  mailCatcherPort: 'MAIL_CATCHER_PORT',
  logLevel: 'LOG_LEVEL',
  logPretty: 'LOG_PRETTY',
  runWorkers: 'WINKEL_RUN_WORKERS',
  webhookRetryBaseSeconds: 'WEBHOOK_RETRY_BASE_SECONDS',
  webhookRetryHours: 'WEBHOOK_RETRY_HOURS',
  webhookTimeoutMs: 'WEBHOOK_TIMEOUT_MS',
  flowLeaseMs: 'FLOW_LEASE_MS',
  flowRecoveryIntervalMs: 'FLOW_RECOVERY_INTERVAL_MS',
  webhookAllowPrivate: 'WEBHOOK_ALLOW_PRIVATE',
  signInRateLimit: 'SIGN_IN_RATE_LIMIT',
  apiRateLimit: 'API_RATE_LIMIT',
  staffSessionHours: 'STAFF_SESSION_HOURS',
  customerSessionDays: 'CUSTOMER_SESSION_DAYS',
  idempotencyHours: 'IDEMPOTENCY_HOURS',
  serveWeb: 'WINKEL_SERVE_WEB',
  sourcingPolicy: 'SOURCING_POLICY',
  shipToStore: 'SHIP_TO_STORE',
  requireShippingAddress: 'REQUIRE_SHIPPING_ADDRESS',
  pickupHoldDays: 'PICKUP_HOLD_DAYS',
  returnWindowDays: 'RETURN_WINDOW_DAYS',
  returnExcludedCategories: 'RETURN_EXCLUDED_CATEGORIES',
  testGatewaySecret: 'TEST_GATEWAY_SECRET',
  catalogCacheTtlMs: 'CATALOG_CACHE_TTL_MS',
  lowStockThreshold: 'LOW_STOCK_THRESHOLD',
  consentDefaultGranted: 'CONSENT_DEFAULT_GRANTED',
  unsubscribeLinkDays: 'UNSUBSCRIBE_LINK_DAYS',
  anonymousEventRetentionDays: 'ANONYMOUS_EVENT_RETENTION_DAYS',
  shopName: 'SHOP_NAME',
  shopAddress: 'SHOP_ADDRESS',
  shopVatNumber: 'SHOP_VAT_NUMBER',
  shopTimeZone: 'SHOP_TIME_ZONE',
};

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 3000,
  dataDir: './.winkel',
  dbPoolSize: 20,
  natsPrefix: 'winkel',
  adminEmail: 'admin@winkel.example',
  mailFrom: 'Winkel <no-reply@winkel.example>',
  mailCatcherPort: 0,
  logLevel: 'info',
  logPretty: false,
  runWorkers: true,
  webhookRetryBaseSeconds: 30,
  webhookRetryHours: 26,
  webhookTimeoutMs: 10000,
  flowLeaseMs: 30000,
  flowRecoveryIntervalMs: 2000,
  webhookAllowPrivate: false,
  signInRateLimit: 10,
  apiRateLimit: 6000,
  staffSessionHours: 12,
  customerSessionDays: 30,
  idempotencyHours: 24,
  serveWeb: true,
  sourcingPolicy: 'balanced',
  shipToStore: false,
  requireShippingAddress: false,
  pickupHoldDays: 7,
  returnWindowDays: 30,
  returnExcludedCategories: '',
  catalogCacheTtlMs: 5000,
  lowStockThreshold: 3,
  consentDefaultGranted: 'none',
  unsubscribeLinkDays: 0,
  anonymousEventRetentionDays: 395,
  shopName: 'Winkel',
  shopAddress: '',
  shopVatNumber: '',
  shopTimeZone: 'Europe/Amsterdam',
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** Builds the configuration; throws ConfigError listing every wrong value. */
export function loadConfig(opts: { env?: NodeJS.ProcessEnv; file?: string; overrides?: Partial<Config> } = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  const file = opts.file ?? env.WINKEL_CONFIG ?? 'winkel.config.json';
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new Error('not an object');
    } catch (err) {
      throw new ConfigError([`${file}: not a JSON object (${(err as Error).message})`]);
    }
    for (const key of Object.keys(fromFile)) {
      if (!(key in ENV_NAMES)) problems.push(`${file}: unknown setting "${key}"`);
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(fromFile)) if (key in ENV_NAMES) merged[key] = value;
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    merged[key] = coerce(raw);
  }
  Object.assign(merged, opts.overrides ?? {});
  for (const err of Value.Errors(ConfigSchema, merged)) {
    const key = err.instancePath.replace(/^\//, '') as keyof Config;
    if (!key) continue;
    const source = ENV_NAMES[key] && env[ENV_NAMES[key]] ? ENV_NAMES[key] : key;
    problems.push(`${source}=${JSON.stringify(merged[key])}: ${err.message}`);
  }
  if (typeof merged.shopTimeZone === 'string' && !problems.some((p) => p.includes('shopTimeZone') || p.includes('SHOP_TIME_ZONE'))) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: merged.shopTimeZone });
    } catch {
      problems.push(`${env.SHOP_TIME_ZONE ? 'SHOP_TIME_ZONE' : 'shopTimeZone'}=${JSON.stringify(merged.shopTimeZone)}: not a known IANA time zone (e.g. Europe/Amsterdam)`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const config = merged as Config;
  config.dataDir = path.resolve(config.dataDir);
  return config;
}

function coerce(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

export function publicUrlOf(config: Config, boundPort?: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${boundPort ?? config.port}`;
}
