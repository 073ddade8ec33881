// Optional scale-out: with NATS_URL every committed event is also published to a JetStream stream
// (de-duplicated by event id), and `stream` subscriptions are consumed from a durable consumer that
// all `winkel worker` (and `serve`) processes share, so the work spreads over them.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Db } from '../db.js';
import { matchesType, type AnySubscription, type DomainEvent, type Subscription } from './outbox.js';

export class NatsBridge {
  private js!: JetStreamClient;
  private consumers: ConsumerMessages[] = [];
  private loops: Promise<void>[] = [];
  readonly stream: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.stream = `${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;
  }

  static async connect(url: string, prefix: string, log: Logger): Promise<NatsBridge> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, name: 'winkel', timeout: 5000 });
    } catch (err) {
      throw new Error(`NATS unreachable at ${url}: ${(err as Error).message}`);
    }
    const bridge = new NatsBridge(nc, prefix, log);
    await bridge.ensureStream();
    return bridge;
  }

  subject(type: string) {
    return `${this.prefix}.events.${type}`;
  }

  private async ensureStream() {
    const jsm = await jetstreamManager(this.nc);
    const subjects = [`${this.prefix}.events.>`];
    try {
      await jsm.streams.info(this.stream);
    } catch {
      await jsm.streams.add({ name: this.stream, subjects, duplicate_window: 10 * 60 * 1_000_000_000 });
    }
    this.js = jetstream(this.nc);
  }

  /** The relay subscription that mirrors the outbox into JetStream. */
  publisher(): Subscription {
    return {
      name: 'nats.publish',
      types: ['*'],
      mode: 'tx',
      // Everything recorded reaches the stream, also what the API recorded before a worker first
      // ran the relay: stream subscriptions (the webhook fan-out) are fed from it once handed off.
      backfill: true,
      handle: async (event) => {
        await this.js.publish(this.subject(event.type), JSON.stringify(event), { msgID: event.id });
      },
    };
  }

  /** Feeds one stream subscription from its durable consumer; each message is handled in a transaction. */
  async consume(sub: AnySubscription, db: Db) {
    const jsm = await jetstreamManager(this.nc);
    const durable = `${this.stream}_${sub.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    try {
      await jsm.consumers.info(this.stream, durable);
    } catch {
      await jsm.consumers.add(this.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        // As the relay does for a new cursor: from the start of the stream only when asked to backfill.
        deliver_policy: sub.backfill ? DeliverPolicy.All : DeliverPolicy.New,
        ack_wait: 30 * 1_000_000_000,
        max_deliver: -1,
      });
    }
    const consumer = await this.js.consumers.get(this.stream, durable);
    const messages = await consumer.consume({ max_messages: 100 });
    this.consumers.push(messages);
    this.loops.push(
      (async () => {
        for await (const m of messages) {
          let event: DomainEvent;
          try {
            event = JSON.parse(m.string()) as DomainEvent;
          } catch {
            m.term();
            continue;
          }
          if (!matchesType(sub.types, event.type)) {
            m.ack();
            continue;
          }
          try {
            await db.transaction(async (tx) => {
              const state = sub.prepare ? await sub.prepare(tx) : undefined;
              if (!sub.wants || sub.wants(event, state)) await sub.handle(event, tx, state);
            });
            m.ack();
          } catch (err) {
            this.log.error({ err, subscription: sub.name, eventId: event.id }, 'nats: handler failed; redelivering later');
            m.nak(5000);
          }
        }
      })(),
    );
  }

  async close() {
    for (const c of this.consumers) await c.close().catch(() => undefined);
    await Promise.allSettled(this.loops);
    await this.nc.drain().catch(() => undefined);
  }
}
