// Background and scheduled jobs on pg-boss, in the same database.
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';

export type JobHandler = (data: Record<string, unknown>) => Promise<void>;

export interface JobDefinition {
  name: string;
  /** Cron expression (UTC) for recurring jobs. */
  cron?: string;
  handle: JobHandler;
}

export class Jobs {
  private boss: PgBoss;
  private defs: JobDefinition[] = [];
  private started = false;

  constructor(databaseUrl: string, private readonly log: Logger) {
    this.boss = new PgBoss({ connectionString: databaseUrl, max: 3, schema: 'pgboss', application_name: 'winkel-jobs' });
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue error'));
  }

  define(def: JobDefinition) {
    this.defs.push(def);
  }

  /** Creates pg-boss's tables if needed; `migrate` and test templates call only this. */
  async install() {
    await this.boss.start();
    for (const d of this.defs) await this.boss.createQueue(d.name);
  }

  async start() {
    await this.install();
    this.started = true;
    for (const d of this.defs) {
      await this.boss.work(d.name, { pollingIntervalSeconds: 2 }, async (jobs) => {
        for (const job of jobs) await d.handle((job.data ?? {}) as Record<string, unknown>);
      });
      if (d.cron) await this.boss.schedule(d.name, d.cron, {}, { tz: 'UTC', singletonKey: d.name });
    }
  }

  async send(name: string, data: Record<string, unknown>, options: { startAfter?: Date; retryLimit?: number } = {}) {
    return this.boss.send(name, data, { retryLimit: options.retryLimit ?? 5, retryBackoff: true, startAfter: options.startAfter });
  }

  async stop() {
    await this.boss.stop({ graceful: this.started, wait: true, timeout: 10_000 }).catch(() => undefined);
  }
}
