// Scale-out over NATS JetStream: with NATS_URL the serve process publishes every committed event to
// JetStream, and a separate `worker` turns them into webhook deliveries. Needs the NATS server on
// 127.0.0.1:4222 (started on this machine and by .ci/run).
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase, startWinkel, type Winkel } from '../src/runtime.js';
import { startReceiver } from './helpers/receiver.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `wt${randomBytes(4).toString('hex')}`;
let s: TestServer;
let worker: Winkel;
let closeWorkerDb: () => Promise<void>;

beforeAll(async () => {
  // The serve process only answers HTTP; the worker relays events to NATS and consumes them.
  s = await startTestServer({ natsUrl: NATS_URL, natsPrefix: prefix, runWorkers: false, webhookAllowPrivate: true });
  const config = loadConfig({ env: {}, file: '/nonexistent', overrides: { ...s.config, port: 0 } });
  const log = pino({ level: 'warn' });
  const db = await openDatabase(config, log, { migrate: false, poolSize: 4 });
  closeWorkerDb = db.close;
  worker = await startWinkel(config, { mode: 'worker', log, database: db });
});
afterAll(async () => {
  await worker?.stop();
  await closeWorkerDb?.();
  await s?.close();
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(`${prefix.toUpperCase()}_EVENTS`).catch(() => undefined);
  await nc.close();
});

describe('NATS JetStream', () => {
  it('publishes committed events to the stream, de-duplicated by event id', async () => {
    const key = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'nats' } })).body.apiKey;
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const msg = await eventually(async () => jsm.streams.getMessage(`${prefix.toUpperCase()}_EVENTS`, { last_by_subj: `${prefix}.events.api_key.created` }));
      const info = await jsm.streams.info(`${prefix.toUpperCase()}_EVENTS`);
      expect(info.config.subjects).toEqual([`${prefix}.events.>`]);
      const event = JSON.parse(new TextDecoder().decode(msg.data));
      expect(event.data.apiKey.id).toBe(key.id);
      // A relay that publishes the same event twice (e.g. after a crash) stores it once.
      const before = (await jsm.streams.info(`${prefix.toUpperCase()}_EVENTS`)).state.messages;
      const publish = worker.nats!.publisher().handle;
      const again = { ...event, id: `evt_dup${randomBytes(6).toString('hex')}`, seq: 1, aggregateType: event.aggregate?.type ?? 'api_key', aggregateId: key.id, type: 'test.duplicate' };
      await publish(again, undefined as never, undefined);
      await publish(again, undefined as never, undefined);
      expect((await jsm.streams.info(`${prefix.toUpperCase()}_EVENTS`)).state.messages).toBe(before + 1);
    } finally {
      await nc.close();
    }
  });

  it('webhook fan-out runs from the stream in worker processes', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['staff_user.created'] } })).body;
      await s.call('POST', '/v1/staff-users', { body: { email: 'nats@test.example', name: 'N', role: 'planner', password: 'planner-pass-1' } });
      await eventually(async () => receiver.received.length >= 1, 20_000);
      const payload = JSON.parse(receiver.received[0].body);
      expect(payload.type).toBe('staff_user.created');
      const deliveries = await s.call('GET', `/v1/webhook-deliveries?endpointId=${endpoint.id}`);
      expect(deliveries.body.data).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
