import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, ENV_NAMES, loadConfig } from './config.js';

describe('configuration', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'winkel-config-'));

  it('uses sensible defaults: 127.0.0.1:3000, embedded database, retries for over 24 h', () => {
    const c = loadConfig({ env: {}, file: path.join(dir, 'none.json') });
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.webhookRetryHours).toBeGreaterThanOrEqual(24);
    expect(path.isAbsolute(c.dataDir)).toBe(true);
  });

  it('takes winkel.config.json, and the environment over it', () => {
    const file = path.join(dir, 'winkel.config.json');
    writeFileSync(file, JSON.stringify({ port: 4000, logLevel: 'debug', mailFrom: 'Shop <shop@example.com>' }));
    const c = loadConfig({ env: { PORT: '4100' }, file });
    expect(c.port).toBe(4100);
    expect(c.logLevel).toBe('debug');
    expect(c.mailFrom).toBe('Shop <shop@example.com>');
  });

  it('lists every wrong value, naming the variable or setting', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ colour: 'blue', dbPoolSize: 0 }));
    try {
      loadConfig({ env: { PORT: '70000', DATABASE_URL: 'mysql://x', WEBHOOK_RETRY_HOURS: '2' }, file });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('unknown setting "colour"');
      expect(problems).toContain('PORT=70000');
      expect(problems).toContain('DATABASE_URL="mysql://x"');
      expect(problems).toContain('WEBHOOK_RETRY_HOURS=2');
      expect(problems).toContain('dbPoolSize=0');
    }
  });

  it('has an environment variable for every setting', () => {
    expect(Object.keys(ENV_NAMES).sort()).toEqual(Object.keys({ ...DEFAULTS, publicUrl: 1, databaseUrl: 1, natsUrl: 1, smtpUrl: 1, testGatewaySecret: 1 }).sort());
  });
});
