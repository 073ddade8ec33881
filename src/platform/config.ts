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
    signInRateLimit: Type.Integer({ minimum: 1, description: 'Sign-in attempts per minute per client address.' }),
    apiRateLimit: Type.Integer({ minimum: 0, description: 'Requests per minute per credential on /v1 (0 = off).' }),
    staffSessionHours: Type.Number({ exclusiveMinimum: 0 }),
    customerSessionDays: Type.Number({ exclusiveMinimum: 0 }),
    idempotencyHours: Type.Number({ minimum: 24 }),
    serveWeb: Type.Boolean({ description: 'Serve the built web app at /.' }),
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
  signInRateLimit: 'SIGN_IN_RATE_LIMIT',
  apiRateLimit: 'API_RATE_LIMIT',
  staffSessionHours: 'STAFF_SESSION_HOURS',
  customerSessionDays: 'CUSTOMER_SESSION_DAYS',
  idempotencyHours: 'IDEMPOTENCY_HOURS',
  serveWeb: 'WINKEL_SERVE_WEB',
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
  signInRateLimit: 10,
  apiRateLimit: 6000,
  staffSessionHours: 12,
  customerSessionDays: 30,
  idempotencyHours: 24,
  serveWeb: true,
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
