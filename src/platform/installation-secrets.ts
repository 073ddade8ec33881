// Secrets an installation needs but an operator may not have set: generated once, kept in the data
// directory (readable by the server's user only), like the embedded PostgreSQL's password. Several
// `serve` processes on one machine share them; on several machines, set them in the environment.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';

/** The value TEST_GATEWAY_SECRET had by default until it became per installation: public, so never trusted outside this machine. */
export const PUBLIC_TEST_GATEWAY_SECRET = 'whsec_test_gateway_not_secret';

function isLoopback(host: string) {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Whether callers other than this machine reach the API: it listens on another interface, or
 * PUBLIC_URL names a host other than this one (a proxy in front of it).
 */
export function reachableFromOutside(config: Pick<Config, 'host' | 'publicUrl'>) {
  if (!isLoopback(config.host)) return true;
  if (!config.publicUrl) return false;
  try {
    return !isLoopback(new URL(config.publicUrl).hostname);
  } catch {
    return true;
  }
}

/** Reads a secret from the data directory, or makes it there the first time (another process may race: the first file wins). */
export function installationSecret(dataDir: string, name: string, make: () => string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, name);
  if (!existsSync(file)) {
    // Written whole under another name, then linked into place: a process starting at the same
    // moment sees either no file or the complete one, and a second link fails instead of replacing.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, `${make()}\n`, { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  const value = readFileSync(file, 'utf8').trim();
  if (value.length < 16) throw new Error(`${file} holds no usable secret; delete it to have a new one made`);
  return value;
}

export class InsecureConfigError extends Error {}

/**
 * The secret the test card gateway's webhooks are signed with (TEST_GATEWAY_SECRET). Unset, each
 * installation makes its own. The old public default is refused when the API is reachable from
 * outside this machine, since anyone could then sign a webhook that settles a pending payment; on
 * 127.0.0.1 it is allowed with a warning.
 */
export function testGatewaySecret(config: Config, log: Logger): string {
  if (config.testGatewaySecret === undefined) {
    return installationSecret(config.dataDir, 'test-gateway-secret', () => `whsec_${randomBytes(32).toString('base64url')}`);
  }
  if (config.testGatewaySecret === PUBLIC_TEST_GATEWAY_SECRET) {
    const why = 'TEST_GATEWAY_SECRET is the public example value, so anyone can sign a test gateway webhook that settles a pending payment';
    if (reachableFromOutside(config)) {
      throw new InsecureConfigError(`${why}, and this server is reachable from outside this machine (HOST=${config.host}${config.publicUrl ? `, PUBLIC_URL=${config.publicUrl}` : ''}). Unset TEST_GATEWAY_SECRET to have a secret made for this installation, or set a secret of your own.`);
    }
    log.warn(`${why}. Allowed only because the server listens on ${config.host} alone; unset TEST_GATEWAY_SECRET to have a secret made for this installation.`);
  }
  return config.testGatewaySecret;
}
