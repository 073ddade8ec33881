// The `winkel` command line.
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { createLogger, openDatabase, startWinkel, VERSION } from './runtime.js';
import { createApiKey, ensureAdmin } from './modules/access/index.js';
import { isPermission } from './platform/access/permissions.js';
import { Jobs } from './platform/jobs.js';
import { maintenanceJobs } from './modules/system/index.js';
import { verifyLedger, evaluateForecasts, weeklyDemandFromOnlineRetail } from './modules/inventory/index.js';
import { createJob, exportProducts, formatOf, getJob, importOnlineRetail, importProducts, listRejections } from './modules/imports/index.js';

function fail(message: string, code = 1): never {
  process.stderr.write(`winkel: ${message}\n`);
  process.exit(code);
}

function config(overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig({ overrides });
  } catch (err) {
    if (err instanceof ConfigError) fail(`bad configuration:\n  ${err.problems.join('\n  ')}`, 78);
    throw err;
  }
}

function explain(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code === 'EADDRINUSE') return `port ${e.port ?? ''} is taken by another program; set PORT to a free one`.replace('  ', ' ');
  if (e?.code === 'EACCES') return `not allowed to bind that port (${e.message}); use a port above 1024`;
  return (e?.message ?? String(err)).split('\n')[0];
}

function onSignals(stop: () => Promise<void>) {
  let stopping = 0;
  const handler = (signal: string) => {
    if (stopping) {
      // The same Ctrl-C can arrive twice (from the terminal and from bin/winkel.mjs passing it on);
      // only a second request, a moment later, forces the exit.
      if (Date.now() - stopping < 1000) return;
      process.stderr.write('\nwinkel: forced exit\n');
      process.exit(130);
    }
    stopping = Date.now();
    process.stderr.write(`\nwinkel: ${signal} received, stopping…\n`);
    stop().then(
      () => process.exit(0),
      (err) => fail(`stop failed: ${explain(err)}`),
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

const program = new Command()
  .name('winkel')
  .description('Winkel: the open, API-first omnichannel retail platform')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('serve', { isDefault: true })
  .description('run the API, the web app and background work (embedded PostgreSQL unless DATABASE_URL is set)')
  .addOption(new Option('-p, --port <port>', 'HTTP port (env PORT)').argParser(Number))
  .addOption(new Option('--host <host>', 'interface to bind (env HOST)'))
  .action(async (opts: { port?: number; host?: string }) => {
    const cfg = config({ ...(opts.port !== undefined && { port: opts.port }), ...(opts.host && { host: opts.host }) });
    const started = Date.now();
    const log = createLogger(cfg);
    let winkel;
    try {
      winkel = await startWinkel(cfg, { mode: 'serve', log, bootstrapAdmin: { email: cfg.adminEmail, name: 'Administrator' } });
    } catch (err) {
      fail(explain(err));
    }
    onSignals(() => winkel.stop());
    const lines = [
      '',
      `  Winkel ${VERSION} is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  Web app:   ${winkel.url}/`,
      `  API:       ${winkel.url}/v1   docs: ${winkel.url}/docs   OpenAPI: ${winkel.url}/openapi.json`,
      `  Database:  ${winkel.database.embedded ? `embedded PostgreSQL in ${cfg.dataDir}` : 'DATABASE_URL'}`,
      winkel.mailCatcher ? `  E-mail:    caught by the built-in mail catcher (smtp://127.0.0.1:${winkel.mailCatcher.port}); see Developer tools` : `  E-mail:    sent through SMTP_URL`,
    ];
    if (winkel.firstAdmin) {
      lines.push(
        '',
        '  First start: an admin account was created. Sign in with',
        `    e-mail:   ${winkel.firstAdmin.email}`,
        `    password: ${winkel.firstAdmin.password}`,
        '  This password is shown only now. Lost it? Run: npx winkel create-admin',
      );
    }
    lines.push('', '  Press Ctrl-C to stop.', '');
    process.stdout.write(lines.join('\n') + '\n');
  });

program
  .command('worker')
  .description('run background work only (event relay, webhooks, e-mail, jobs); start several next to `serve` to scale out')
  .action(async () => {
    const cfg = config();
    if (!cfg.databaseUrl) fail('worker needs DATABASE_URL: workers share the database of the serve processes', 78);
    const log = createLogger(cfg);
    let winkel;
    try {
      winkel = await startWinkel(cfg, { mode: 'worker', log, bootstrapAdmin: false });
    } catch (err) {
      fail(explain(err));
    }
    onSignals(() => winkel.stop());
    process.stdout.write(`winkel worker running${cfg.natsUrl ? ` (NATS ${cfg.natsUrl})` : ''}; Ctrl-C to stop\n`);
  });

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => {
    const cfg = config();
    const log = createLogger({ ...cfg, logLevel: 'warn' });
    try {
      const database = await openDatabase(cfg, log);
      const jobs = new Jobs(database.url, log);
      for (const j of maintenanceJobs(database.db, cfg)) jobs.define(j);
      await jobs.install();
      await jobs.stop();
      await database.close();
      process.stdout.write('database is up to date\n');
    } catch (err) {
      fail(explain(err));
    }
  });

program
  .command('create-admin')
  .description('create an admin, or reset an existing user to admin with a new password')
  .option('-e, --email <email>', 'e-mail address (default: WINKEL_ADMIN_EMAIL)')
  .option('-n, --name <name>', 'display name', 'Administrator')
  .option('--password <password>', 'password to set (default: a generated one, printed once)')
  .action(async (opts: { email?: string; name: string; password?: string }) => {
    const cfg = config();
    const log = createLogger({ ...cfg, logLevel: 'warn' });
    try {
      const database = await openDatabase(cfg, log, { poolSize: 2 });
      const r = await ensureAdmin(database.db, opts.email ?? cfg.adminEmail, opts.name, opts.password);
      await database.close();
      process.stdout.write(`${r.created ? 'created' : 'reset'} admin ${r.user.email}\npassword: ${r.password}\n`);
    } catch (err) {
      fail(explain(err));
    }
  });

const apiKey = program.command('api-key').description('manage API keys');
apiKey
  .command('create')
  .description('create an API key and print it once')
  .requiredOption('-n, --name <name>', 'what the key is for')
  .addOption(new Option('-k, --kind <kind>', 'secret or publishable').choices(['secret', 'publishable']).default('secret'))
  .option('-s, --scopes <scopes>', 'comma-separated permissions for a secret key, e.g. catalog:read,orders:read')
  .action(async (opts: { name: string; kind: 'secret' | 'publishable'; scopes?: string }) => {
    const cfg = config();
    const scopes = opts.scopes ? opts.scopes.split(',').map((s) => s.trim()).filter(Boolean) : [];
    const unknown = scopes.filter((s) => !isPermission(s));
    if (unknown.length) fail(`unknown scope(s): ${unknown.join(', ')}`, 64);
    const log = createLogger({ ...cfg, logLevel: 'warn' });
    try {
      const database = await openDatabase(cfg, log, { poolSize: 2 });
      const { key, token } = await createApiKey(database.db, { actor: { type: 'system', label: 'winkel api-key create' } }, { kind: opts.kind, name: opts.name, scopes }, new Set(scopes.length ? scopes : ['storefront']));
      await database.close();
      process.stdout.write(`${key.id}\n${token}\n`);
    } catch (err) {
      fail(explain(err));
    }
  });

const importCmd = program.command('import').description('import data into the catalog (streamed, repeatable; rejected rows are listed)');

async function runImport(kind: 'products' | 'online-retail', file: string, opts: { format?: string; priceList?: string }) {
  const cfg = config();
  if (!existsSync(file)) fail(`no such file: ${file}`, 66);
  const log = createLogger({ ...cfg, logLevel: 'warn' });
  const database = await openDatabase(cfg, log, { poolSize: 4 }).catch((err) => fail(explain(err)));
  const ctx = { actor: { type: 'system' as const, label: `winkel import ${kind}` } };
  const format = kind === 'online-retail' ? 'csv' : formatOf(file, opts.format);
  const job = await createJob(database.db, ctx, kind, format, path.basename(file));
  const bar = new SingleBar({ format: ' {bar} {percentage}% | {phase} | {rows} rows | {accepted} in, {rejected} rejected', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  bar.start(100, 0, { phase: 'starting', rows: 0, accepted: 0, rejected: 0 });
  const onProgress = (p: { fraction: number; rows: number; phase?: string }, accepted: number, rejected: number) => bar.update(Math.round(p.fraction * 100), { phase: p.phase ?? '', rows: p.rows, accepted, rejected });
  const started = Date.now();
  try {
    if (kind === 'online-retail') await importOnlineRetail(database.db, ctx, job.id, file, onProgress);
    else await importProducts(database.db, ctx, job.id, file, format, { priceList: opts.priceList, onProgress });
    bar.update(100, { phase: 'done' });
    bar.stop();
  } catch (err) {
    bar.stop();
    await database.close();
    fail(`import failed: ${explain(err)}`);
  }
  const done = await getJob(database.db, job.id);
  const rejections = await listRejections(database.db, job.id, { limit: 20 });
  await database.close();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`import ${done.id}: ${done.accepted} accepted, ${done.rejected} rejected in ${secs} s\n`);
  process.stdout.write(`${JSON.stringify(done.summary)}\n`);
  for (const r of rejections.data) process.stdout.write(`  rejected${r.line ? ` line ${r.line}` : ''}${r.field ? ` ${r.field}` : ''}${r.value ? ` (${r.value})` : ''}: ${r.reason}\n`);
  if (rejections.hasMore) process.stdout.write(`  … all ${done.rejected}: GET /v1/imports/${done.id}/rejections\n`);
}

importCmd
  .command('products <file>')
  .description('import products, variants and prices from CSV or NDJSON (optionally .gz); columns in docs/catalog.md')
  .addOption(new Option('-f, --format <format>', 'csv or ndjson (default: from the file name)').choices(['csv', 'ndjson']))
  .option('--price-list <name>', 'price list for the price column', 'Base prices')
  .action((file: string, opts: { format?: string; priceList?: string }) => runImport('products', file, opts));

importCmd
  .command('online-retail <file>')
  .description('build the catalog from the UCI Online Retail data set (e.g. ../shared/data/online-retail.csv.gz)')
  .action((file: string) => runImport('online-retail', file, {}));

program
  .command('export')
  .description('export data')
  .command('products')
  .description('write every product variant with its price as CSV or NDJSON (the import format)')
  .addOption(new Option('-f, --format <format>', 'csv or ndjson').choices(['csv', 'ndjson']).default('csv'))
  .option('-o, --out <file>', 'write to a file instead of standard output')
  .option('--price-list-id <id>', 'the price list for the price column (default: "Base prices")')
  .action(async (opts: { format: 'csv' | 'ndjson'; out?: string; priceListId?: string }) => {
    const cfg = config();
    const log = createLogger({ ...cfg, logLevel: 'warn' });
    const database = await openDatabase(cfg, log, { poolSize: 2 }).catch((err) => fail(explain(err)));
    try {
      await pipeline(exportProducts(database.db, opts.format, opts.priceListId), opts.out ? createWriteStream(opts.out) : process.stdout);
    } catch (err) {
      fail(`export failed: ${explain(err)}`);
    } finally {
      await database.close();
    }
  });

const inventoryCmd = program.command('inventory').description('inventory tools');
inventoryCmd
  .command('evaluate-forecast <file>')
  .description('forecast accuracy on the real data set: MASE of the weekly forecast over the last weeks, against the naive forecast')
  .option('--holdout <weeks>', 'weeks held out at the end', (v) => Number(v), 8)
  .action(async (file: string, opts: { holdout: number }) => {
    if (!existsSync(file)) fail(`no such file: ${file}`, 66);
    const { series } = await weeklyDemandFromOnlineRetail(file);
    process.stdout.write(`${JSON.stringify(evaluateForecasts(series, opts.holdout), null, 2)}\n`);
  });
inventoryCmd
  .command('verify')
  .description('prove that every stock level equals the sum of its ledger movements; exit 1 when not')
  .action(async () => {
    const cfg = config();
    const log = createLogger({ ...cfg, logLevel: 'warn' });
    const database = await openDatabase(cfg, log, { poolSize: 2 }).catch((err) => fail(explain(err)));
    const r = await verifyLedger(database.db);
    await database.close();
    if (r.mismatches.length) {
      process.stdout.write(`${r.mismatches.length} of ${r.levelsChecked} stock levels differ from their ledger:\n`);
      for (const m of r.mismatches.slice(0, 50)) process.stdout.write(`  ${m.variant_id} @ ${m.location_id}: on hand ${m.on_hand} vs ledger ${m.ledger_on_hand}, reserved ${m.reserved} vs ledger ${m.ledger_reserved}\n`);
      process.exit(1);
    }
    process.stdout.write(`all ${r.levelsChecked} stock levels match their ledger\n`);
  });

for (const [name, what] of [
  ['demo', 'load the demo retailer (comes with the demo issue)'],
  ['bench', 'run the benchmarks: use `npm run bench`'],
] as const) {
  program
    .command(name)
    .description(what)
    .allowUnknownOption()
    .action(() => fail(`"${name}" is not available in this version yet: ${what}`, 64));
}

program.parseAsync(process.argv).catch((err) => fail(explain(err)));
