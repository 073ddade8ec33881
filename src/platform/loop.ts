// A background loop that does a unit of work, repeats at once while there was work, and otherwise
// sleeps until poked or the interval passes. Used by the webhook and mail senders.
import type { Logger } from 'pino';

export class WorkLoop {
  private running = false;
  private wakeFn: (() => void) | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<number>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    this.done = (async () => {
      while (this.running) {
        let n = 0;
        try {
          n = await this.step();
        } catch (err) {
          this.log.error({ err, loop: this.name }, 'background loop step failed');
        }
        if (n === 0 && this.running) await this.sleep();
      }
    })();
  }

  wake() {
    this.wakeFn?.();
  }

  private sleep() {
    return new Promise<void>((resolve) => {
      const t = setTimeout(finish, this.intervalMs);
      function finish() {
        clearTimeout(t);
        resolve();
      }
      this.wakeFn = finish;
    });
  }

  async stop() {
    this.running = false;
    this.wakeFn?.();
    await this.done;
  }
}
