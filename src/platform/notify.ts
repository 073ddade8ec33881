// One LISTEN connection per process, shared by everything that wants to be woken by NOTIFY.
import type pg from 'pg';
import type { Logger } from 'pino';

export class PgListener {
  private client: pg.PoolClient | undefined;
  private handlers = new Map<string, Array<(payload: string) => void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  on(channel: string, handler: (payload: string) => void) {
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel ${channel}`);
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
    if (this.client && list.length === 1) this.client.query(`listen ${channel}`).catch(() => undefined);
  }

  async start() {
    try {
      this.client = await this.pool.connect();
      this.client.on('error', (err) => this.log.warn({ err }, 'LISTEN connection lost; falling back to polling'));
      this.client.on('notification', (n) => {
        for (const h of this.handlers.get(n.channel) ?? []) h(n.payload ?? '');
      });
      for (const channel of this.handlers.keys()) await this.client.query(`listen ${channel}`);
    } catch (err) {
      this.log.warn({ err }, 'LISTEN unavailable; background work falls back to polling');
    }
  }

  async stop() {
    if (!this.client) return;
    try {
      await this.client.query('unlisten *');
    } catch {}
    this.client.release(true);
    this.client = undefined;
  }
}
