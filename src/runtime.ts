// Starting and stopping Winkel: the database (embedded or given), migrations, background work and
// the HTTP server. `serve` runs all of it; `worker` runs everything but HTTP.
import { readFileSync } from 'node:fs';
import { rootPath } from './platform/paths.js';
import pino, { type Logger } from 'pino';
import type pg from 'pg';
import { buildApp, type App } from './app.js';
import { publicUrlOf, type Config } from './platform/config.js';
import { testGatewaySecret } from './platform/installation-secrets.js';
import { safeLogger } from './platform/log.js';
import { createDb, createPool, describeDbError, runMigrations, warmPool, type Db } from './platform/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './platform/embedded-pg.js';
import { NatsBridge } from './platform/events/nats.js';
import { OutboxRelay } from './platform/events/outbox.js';
import { Jobs } from './platform/jobs.js';
import { MailCatcher, MailSender } from './platform/mail.js';
import { PgListener } from './platform/notify.js';
import { AnswerCache, CatalogWords } from './modules/catalog/index.js';
import { countStaff, ensureAdmin, StaffPrincipals } from './modules/access/index.js';
import { fanOutSubscription, WebhookSender } from './modules/webhooks/index.js';
import { maintenanceJobs } from './modules/system/index.js';
import { backInStockSubscription, setLowStockDefault } from './modules/inventory/index.js';
import { refreshComputedTraits, timelineSubscription } from './modules/customers/index.js';
import { WorkLoop } from './platform/loop.js';
import { configureConsentDefaults, profilingAllowed } from './modules/consent/index.js';
import { FLOWS_CHANNEL, FlowRunner } from './platform/flows/runner.js';
import { registerFlows } from './flows/index.js';
import { PromotionCache } from './modules/promotions/index.js';
import { paymentProviders } from './modules/payments/index.js';

export const VERSION: string = JSON.parse(readFileSync(rootPath('package.json'), 'utf8')).version;

/** The process's logger: never writes credentials or personal data (src/platform/log.ts). */
export function createLogger(config: Config, extra: pino.LoggerOptions = {}): Logger {
  return safeLogger(
    pino({
      level: config.logLevel,
      ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
      ...extra,
    }),
  );
}

export interface Database {
  url: string;
  pool: pg.Pool;
  db: Db;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL, then applies migrations. */
export async function openDatabase(config: Config, log: Logger, opts: { migrate?: boolean; poolSize?: number } = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log: (l) => log.info(l) });
    url = embedded.url;
  }
  const pool = createPool(url, opts.poolSize ?? config.dbPoolSize);
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw new Error(describeDbError(err, url));
  }
  if (opts.migrate !== false) await runMigrations(pool);
  const db = createDb(pool);
  return {
    url,
    pool,
    db,
    embedded,
    async close() {
      await pool.end().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

export interface Winkel {
  app?: App;
  url?: string;
  db: Db;
  database: Database;
  relay: OutboxRelay;
  webhooks: WebhookSender;
  mail: MailSender;
  mailCatcher?: MailCatcher;
  jobs: Jobs;
  flows: FlowRunner;
  nats?: NatsBridge;
  log: Logger;
  firstAdmin?: { email: string; password: string };
  stop(): Promise<void>;
}

export interface StartOptions {
  mode: 'serve' | 'worker';
  log?: Logger;
  /** Use an already open database (tests, bench) instead of opening one. */
  database?: Database;
  /** On first start, create this admin (with a generated password) when there is no staff user yet. */
  bootstrapAdmin?: { email: string; name: string } | false;
}

export async function startWinkel(config: Config, opts: StartOptions): Promise<Winkel> {
  // Whatever logger was handed in, what Winkel writes through it is redacted.
  const log = opts.log ? safeLogger(opts.log) : createLogger(config);
  // Before anything starts: an installation reachable from outside must not trust a public secret.
  config.testGatewaySecret = testGatewaySecret(config, log);
  const database = opts.database ?? (await openDatabase(config, log));
  const { db, pool } = database;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'shutdown step failed'));
    if (!opts.database) await database.close();
  };
  try {
    // The low-stock default lives where the alerting SQL can read it.
    await setLowStockDefault(db, config.lowStockThreshold);
    // Which consent purposes count as granted when a person recorded nothing (API and workers alike).
    configureConsentDefaults(config.consentDefaultGranted);
    const jobs = new Jobs(database.url, log);
    for (const j of maintenanceJobs(db, config)) jobs.define(j);

    let mailCatcher: MailCatcher | undefined;
    let smtpUrl = config.smtpUrl;
    if (!smtpUrl) {
      mailCatcher = new MailCatcher(db, log);
      const port = await mailCatcher.listen(config.mailCatcherPort);
      smtpUrl = `smtp://127.0.0.1:${port}`;
      stops.push(() => mailCatcher!.close());
    }
    const mail = new MailSender(db, smtpUrl, config.mailFrom, log);
    const webhooks = new WebhookSender(db, { retryBaseSeconds: config.webhookRetryBaseSeconds, retryHours: config.webhookRetryHours, timeoutMs: config.webhookTimeoutMs, allowPrivate: config.webhookAllowPrivate }, log);
    stops.push(async () => webhooks.close());
    // Durable flows: runs whose process died are recovered, waiting runs woken, by the workers' loop.
    const promotionCache = new PromotionCache();
    const flows = new FlowRunner(db, log, { leaseMs: config.flowLeaseMs });
    registerFlows(flows, { db, cache: promotionCache, providers: paymentProviders(db, { testGatewaySecret: config.testGatewaySecret }) });
    const flowRecovery = new WorkLoop('flow-recovery', () => flows.recoverDue(), config.flowRecoveryIntervalMs, log);
    const relay = new OutboxRelay(db, log);
    relay.subscribe(flows.subscription());
    relay.subscribe(fanOutSubscription(() => webhooks.loop.wake()));
    relay.subscribe(backInStockSubscription(publicUrlOf(config)));
    relay.subscribe(timelineSubscription());

    let nats: NatsBridge | undefined;
    if (config.natsUrl) {
      nats = await NatsBridge.connect(config.natsUrl, config.natsPrefix, log);
      relay.subscribe(nats.publisher());
      stops.push(() => nats!.close());
    }

    const staffPrincipals = new StaffPrincipals(db);
    const listener = new PgListener(pool, log);
    listener.on('winkel_outbox', () => relay.poke());
    listener.on('winkel_webhooks', () => webhooks.loop.wake());
    listener.on(FLOWS_CHANNEL, () => flowRecovery.wake());
    listener.on('winkel_mail', () => mail.loop.wake());
    listener.on('winkel_access', () => staffPrincipals.clear());
    // Any process's committed catalog or price change drops this process's remembered product lists.
    const catalogAnswers = new AnswerCache({ ttlMs: config.catalogCacheTtlMs });
    const catalogWords = new CatalogWords({ onError: (err) => log.warn({ err }, 'catalog words: could not read them again; using the ones held') });
    listener.on('winkel_catalog', (table) => {
      catalogAnswers.invalidate();
      // The words come from product titles; a price change leaves them as they are.
      if (table === 'products') catalogWords.changed();
    });
    await listener.start();
    stops.push(() => listener.stop());

    const runBackground = opts.mode === 'worker' || config.runWorkers;
    if (runBackground) {
      if (nats) {
        for (const sub of relay.subscriptions.filter((s) => s.mode === 'stream')) {
          relay.handOff(sub.name);
          await nats.consume(sub, db);
        }
      }
      await relay.start();
      stops.push(() => relay.stop());
      webhooks.loop.start();
      stops.push(() => webhooks.loop.stop());
      flowRecovery.start();
      stops.push(() => flowRecovery.stop());
      mail.loop.start();
      stops.push(async () => {
        await mail.loop.stop();
        mail.close();
      });
      await jobs.start();
      // Computed customer traits, right after the events that change them (see docs/customers.md).
      const traits = new WorkLoop('computed-traits', () => refreshComputedTraits(db, profilingAllowed), 200, log);
      traits.start();
      stops.push(() => traits.stop());
      stops.push(() => jobs.stop());
    }

    let firstAdmin: { email: string; password: string } | undefined;
    if (opts.bootstrapAdmin && (await countStaff(db)) === 0) {
      const r = await ensureAdmin(db, opts.bootstrapAdmin.email, opts.bootstrapAdmin.name);
      firstAdmin = { email: r.user.email, password: r.password };
    }

    const winkel: Winkel = { db, database, relay, webhooks, mail, mailCatcher, jobs, flows, nats, log, firstAdmin, stop: stopAll };
    if (opts.mode === 'serve') {
      // A few connections open (and their search dictionaries loaded) and the catalog's words read
      // before the first request.
      await Promise.all([warmPool(pool, 4), catalogWords.warm(db)]);
      const app = await buildApp({
        config,
        db,
        log,
        publicUrl: publicUrlOf(config),
        embedded: !!database.embedded,
        staffPrincipals: {
          resolve: (t) => staffPrincipals.resolve(t),
          clear: () => {
            staffPrincipals.clear();
            // Other processes drop their cached credentials too.
            pool.query(`select pg_notify('winkel_access', '')`).catch(() => undefined);
          },
        } as StaffPrincipals,
        wake: { webhooks: () => webhooks.loop.wake() },
        catalogAnswers,
        catalogWords,
        promotionCache,
        flows,
        version: VERSION,
      });
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address() as import('node:net').AddressInfo;
      winkel.app = app;
      // The address it listens on (PUBLIC_URL may name a proxy in front of it).
      winkel.url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${addr.port}`;
      // Stop taking requests first; in-flight ones finish before the background work stops.
      stops.splice(0, 0, () => app.close());
    }
    return winkel;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
