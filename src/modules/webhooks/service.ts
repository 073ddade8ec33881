// Webhooks: endpoints subscribe to event types; every matching committed event becomes a delivery
// row (fan-out, idempotent per endpoint and event), and a sender loop posts it, signed, retrying
// with exponential back-off for WEBHOOK_RETRY_HOURS. An endpoint that has failed for that whole
// window is disabled, and that is announced as an event and by e-mail to the admins.
import { and, asc, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, notFound, unprocessable, type FieldError } from '../../platform/errors.js';
import { isKnownEventPattern } from '../../events.js';
import { emit, lockAggregate, matchesType, type DomainEvent, type EventData, type Subscription } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId, newSecret } from '../../platform/ids.js';
import { WorkLoop } from '../../platform/loop.js';
import { queueMail } from '../../platform/mail.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { listAdminEmails } from '../access/index.js';
import { signPayload } from './signature.js';
import { refusedTarget, RefusedTarget, WebhookTransport } from './transport.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema.js';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export function publicEndpoint(e: EndpointRow, withSecret = false) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    status: e.status,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince?.toISOString() ?? null,
    consecutiveFailures: e.consecutiveFailures,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    version: e.version,
    ...(withSecret ? { secret: e.secret } : {}),
  };
}

export function publicDelivery(d: DeliveryRow) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    replayOf: d.replayOf,
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt?.toISOString() ?? null,
  };
}

/** Refuses a URL that is not http(s), or whose host is off limits (see address.ts), with a 422 saying why. */
async function checkUrl(url: string, allowPrivate: boolean) {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRequest('The URL is not valid.', [{ field: '/url', message: 'not a URL' }]);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badRequest('Webhook URLs must be http(s).', [{ field: '/url', message: 'use http or https' }]);
  if (allowPrivate) return;
  const refused = await refusedTarget(u);
  if (refused) throw unprocessable(`Winkel does not send webhooks there: ${refused}.`, 'webhook_url_refused', [{ field: '/url', message: refused }]);
}

function checkTypes(types: string[]) {
  const bad = types.map((t, i): FieldError | null => (/^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/.test(t) ? null : { field: `/eventTypes/${i}`, message: `"${t}" is not an event type or pattern` })).filter((e) => e !== null);
  if (bad.length) throw badRequest('Event types look like "staff_user.created", "order.*" or "*".', bad);
  // A type no module emits would subscribe to nothing, silently: a typo, or a type of another system.
  const unknown = types.map((t, i): FieldError | null => (isKnownEventPattern(t) ? null : { field: `/eventTypes/${i}`, message: `no event type ${t.endsWith('.*') ? `starts with "${t.slice(0, -1)}"` : `"${t}"`}` })).filter((e) => e !== null);
  if (unknown.length) {
    throw unprocessable(`Winkel emits no event ${unknown.map((e) => `"${types[Number(e.field.split('/').pop())]}"`).join(', ')}; GET /v1/event-types lists them all.`, 'unknown_event_type', unknown);
  }
}

/** What the endpoint rules depend on: WEBHOOK_ALLOW_PRIVATE. */
export interface EndpointPolicy {
  allowPrivate: boolean;
}

export async function createEndpoint(db: Db, ctx: RequestContext, input: { url: string; description?: string; eventTypes: string[] }, policy: EndpointPolicy) {
  await checkUrl(input.url, policy.allowPrivate);
  checkTypes(input.eventTypes);
  return db.transaction(async (tx) => {
    const [e] = await tx
      .insert(webhookEndpoints)
      .values({ id: newId('webhookEndpoint'), url: input.url, description: input.description ?? null, eventTypes: input.eventTypes, secret: newSecret('whsec') })
      .returning();
    await recordAudit(tx, ctx, { action: 'webhook_endpoint.create', resourceType: 'webhook_endpoint', resourceId: e.id, after: publicEndpoint(e) });
    await emit(tx, { type: 'webhook_endpoint.created', aggregateType: 'webhook_endpoint', aggregateId: e.id, actor: ctx.actor, data: { endpoint: publicEndpoint(e) } });
    return e;
  });
}

export async function listEndpoints(db: Executor, q: { limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const rows = await db.select().from(webhookEndpoints).where(after ? lt(webhookEndpoints.id, after) : undefined).orderBy(desc(webhookEndpoints.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

export async function getEndpoint(db: Executor, id: string) {
  const [e] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  if (!e) throw notFound('webhook endpoint', id);
  return e;
}

export async function updateEndpoint(
  db: Db,
  ctx: RequestContext,
  id: string,
  patch: { url?: string; description?: string | null; eventTypes?: string[]; status?: 'enabled' | 'disabled'; rotateSecret?: boolean },
  expected: number | undefined,
  policy: EndpointPolicy,
) {
  if (patch.url) await checkUrl(patch.url, policy.allowPrivate);
  if (patch.eventTypes) checkTypes(patch.eventTypes);
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'webhook_endpoint', id);
    const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for('update');
    if (!before) throw notFound('webhook endpoint', id);
    checkVersion('webhook endpoint', id, before.version, expected);
    const reenabled = patch.status === 'enabled' && before.status === 'disabled';
    const [after] = await tx
      .update(webhookEndpoints)
      .set({
        ...(patch.url !== undefined && { url: patch.url }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.eventTypes !== undefined && { eventTypes: patch.eventTypes }),
        ...(patch.status !== undefined && { status: patch.status, disabledReason: patch.status === 'disabled' ? 'disabled by staff' : null }),
        ...(reenabled && { failingSince: null, consecutiveFailures: 0 }),
        ...(patch.rotateSecret && { secret: newSecret('whsec') }),
        updatedAt: new Date(),
        version: before.version + 1,
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    await recordAudit(tx, ctx, { action: 'webhook_endpoint.update', resourceType: 'webhook_endpoint', resourceId: id, before: publicEndpoint(before), after: publicEndpoint(after) });
    await emit(tx, { type: 'webhook_endpoint.updated', aggregateType: 'webhook_endpoint', aggregateId: id, actor: ctx.actor, data: { endpoint: publicEndpoint(after) } });
    return after;
  });
}

export async function deleteEndpoint(db: Db, ctx: RequestContext, id: string) {
  await db.transaction(async (tx) => {
    await lockAggregate(tx, 'webhook_endpoint', id);
    const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for('update');
    if (!before) throw notFound('webhook endpoint', id);
    await tx.delete(webhookAttempts).where(sql`${webhookAttempts.deliveryId} in (select id from webhook_deliveries where endpoint_id = ${id})`);
    await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id));
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    await recordAudit(tx, ctx, { action: 'webhook_endpoint.delete', resourceType: 'webhook_endpoint', resourceId: id, before: publicEndpoint(before) });
    await emit(tx, { type: 'webhook_endpoint.deleted', aggregateType: 'webhook_endpoint', aggregateId: id, actor: ctx.actor, data: { endpoint: publicEndpoint(before) } });
  });
}

export function envelope(event: DomainEvent) {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    aggregate: { type: event.aggregateType, id: event.aggregateId },
    customerId: event.customerId,
    actor: event.actor,
    data: event.data,
  };
}

async function insertDelivery(tx: Executor, endpointId: string, payload: ReturnType<typeof envelope>, replayOf: string | null = null) {
  const [d] = await tx
    .insert(webhookDeliveries)
    .values({ id: newId('webhookDelivery'), endpointId, eventId: payload.id, eventType: payload.type, payload, replayOf })
    .onConflictDoNothing()
    .returning();
  return d;
}

/** Relay subscription: one delivery per matching enabled endpoint and event. */
export function fanOutSubscription(wake: () => void): Subscription<Array<{ id: string; eventTypes: string[] }>> {
  return {
    name: 'webhooks.fan_out',
    types: ['*'],
    mode: 'stream',
    // Events the API recorded before the relay first ran (a `serve` without workers, its `worker`
    // started later) still reach the endpoints that subscribed to them.
    backfill: true,
    // The enabled endpoints once per batch; an event no endpoint takes costs nothing more.
    prepare: (tx) => tx.select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes }).from(webhookEndpoints).where(eq(webhookEndpoints.status, 'enabled')),
    wants: (event, endpoints) => event.type !== 'webhook.ping' && endpoints.some((e) => matchesType(e.eventTypes, event.type)),
    handle: async (event, tx, endpoints) => {
      let n = 0;
      for (const e of endpoints) {
        if (!matchesType(e.eventTypes, event.type)) continue;
        if (await insertDelivery(tx, e.id, envelope(event))) n++;
      }
      if (n) wake();
    },
  };
}

export async function pingEndpoint(db: Db, ctx: RequestContext, id: string) {
  const endpoint = await getEndpoint(db, id);
  const payload = {
    id: newId('event'),
    type: 'webhook.ping',
    occurredAt: new Date().toISOString(),
    aggregate: { type: 'webhook_endpoint', id: endpoint.id },
    customerId: null,
    actor: ctx.actor,
    data: { message: 'Test ping from Winkel', requestedBy: ctx.actor.label ?? ctx.actor.id ?? null } satisfies EventData<'webhook.ping'>,
  };
  return db.transaction(async (tx) => {
    const d = await insertDelivery(tx, endpoint.id, payload);
    await recordAudit(tx, ctx, { action: 'webhook_endpoint.ping', resourceType: 'webhook_endpoint', resourceId: id });
    await tx.execute(sql`select pg_notify('winkel_webhooks', '')`);
    return d;
  });
}

export async function replayDelivery(db: Db, ctx: RequestContext, deliveryId: string) {
  const original = await getDelivery(db, deliveryId);
  return db.transaction(async (tx) => {
    const d = await insertDelivery(tx, original.endpointId, original.payload as ReturnType<typeof envelope>, original.id);
    await recordAudit(tx, ctx, { action: 'webhook_delivery.replay', resourceType: 'webhook_delivery', resourceId: deliveryId, after: publicDelivery(d) });
    await tx.execute(sql`select pg_notify('winkel_webhooks', '')`);
    return d;
  });
}

export async function getDelivery(db: Executor, id: string) {
  const [d] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  if (!d) throw notFound('webhook delivery', id);
  return d;
}

export async function listDeliveries(db: Executor, q: { limit: number; cursor?: string; endpointId?: string; status?: string; eventType?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(webhookDeliveries.id, after));
  if (q.endpointId) where.push(eq(webhookDeliveries.endpointId, q.endpointId));
  if (q.status) where.push(eq(webhookDeliveries.status, q.status as 'pending'));
  if (q.eventType) where.push(eq(webhookDeliveries.eventType, q.eventType));
  const rows = await db.select().from(webhookDeliveries).where(where.length ? and(...where) : undefined).orderBy(desc(webhookDeliveries.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

export async function listAttempts(db: Executor, deliveryId: string) {
  return db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).orderBy(asc(webhookAttempts.attempt));
}

export interface SenderOptions {
  retryBaseSeconds: number;
  retryHours: number;
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE: also send to private, loopback and link-local addresses (development). */
  allowPrivate: boolean;
}

/** Next try after `attempt` failures: base × 2^(attempt−1), at most 6 h, ±10 % jitter. */
/** The host of a URL, for logs: a webhook URL may carry a token in its path or query. */
function hostOf(url: string) {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

export function backoffSeconds(attempt: number, baseSeconds: number): number {
  const raw = Math.min(baseSeconds * 2 ** Math.max(0, attempt - 1), 6 * 3600);
  return raw * (0.9 + Math.random() * 0.2);
}

export class WebhookSender {
  readonly loop: WorkLoop;
  private readonly transport: WebhookTransport;

  constructor(
    private readonly db: Db,
    private readonly opts: SenderOptions,
    private readonly log: Logger,
  ) {
    this.loop = new WorkLoop('webhooks', () => this.sendDue(), 500, log);
    this.transport = new WebhookTransport({ allowPrivate: opts.allowPrivate, timeoutMs: opts.timeoutMs });
  }

  /** Closes the kept-alive connections to receivers. */
  close() {
    this.transport.close();
  }

  async sendDue(): Promise<number> {
    const leaseSeconds = Math.ceil(this.opts.timeoutMs / 1000) + 30;
    const due = await this.db.execute<{ id: string; endpoint_id: string; payload: unknown; attempts: number; created_at: Date; url: string; secret: string; status: string }>(sql`
      with claimed as (
        update webhook_deliveries set lease_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1
        where id in (select d.id from webhook_deliveries d
                     where d.status = 'pending' and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now())
                     order by d.next_attempt_at limit 50 for update skip locked)
        returning id, endpoint_id, payload, attempts, created_at)
      select c.*, e.url, e.secret, e.status from claimed c join webhook_endpoints e on e.id = c.endpoint_id`);
    await Promise.all(due.rows.map((d) => this.attempt(d)));
    return due.rows.length;
  }

  private async attempt(d: { id: string; endpoint_id: string; payload: unknown; attempts: number; created_at: Date; url: string; secret: string; status: string }) {
    const body = JSON.stringify(d.payload);
    const started = Date.now();
    let statusCode: number | null = null;
    let responseBody: string | null = null;
    let error: string | null = null;
    if (d.status !== 'enabled') {
      error = 'endpoint disabled';
    } else {
      try {
        const res = await this.transport.post(
          d.url,
          {
            'content-type': 'application/json',
            'user-agent': 'Winkel-Webhooks/1',
            'winkel-signature': signPayload(d.secret, body),
            'winkel-event-id': (d.payload as { id: string }).id,
            'winkel-event-type': (d.payload as { type: string }).type,
            'winkel-delivery-id': d.id,
            'winkel-attempt': String(d.attempts),
          },
          body,
        );
        statusCode = res.statusCode;
        responseBody = res.answer;
        if (statusCode >= 300 && statusCode < 400) error = `HTTP ${statusCode} (redirects are not followed; give the final URL)`;
      } catch (err) {
        const e = err as Error & { code?: string };
        error =
          err instanceof RefusedTarget
            ? `not sent: ${e.message}`
            : e.name === 'TimeoutError' || e.name === 'AbortError'
              ? `timed out after ${this.opts.timeoutMs} ms`
              : String(e.message).slice(0, 500);
      }
    }
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const durationMs = Date.now() - started;
    const ageHours = (Date.now() - new Date(d.created_at).getTime()) / 3600_000;
    const giveUp = !ok && (ageHours >= this.opts.retryHours || d.status !== 'enabled');
    const nextAt = new Date(Date.now() + backoffSeconds(d.attempts, this.opts.retryBaseSeconds) * 1000);
    if (!error && !ok) error = `HTTP ${statusCode}`;
    await this.db.transaction(async (tx) => {
      // An erasure may have scrubbed the delivery while it was on its way (it waits for this row's
      // lock, or this waits for its commit): the receiver's answer, which may echo what was sent,
      // is then not kept either.
      const [now] = await tx.execute<{ payload: unknown }>(sql`select payload from webhook_deliveries where id = ${d.id} for update`).then((r) => r.rows);
      if (now && JSON.stringify(now.payload) !== body) responseBody = null;
      await tx.insert(webhookAttempts).values({ deliveryId: d.id, attempt: d.attempts, durationMs, statusCode, responseBody, error: ok ? null : error });
      await tx
        .update(webhookDeliveries)
        .set({
          status: ok ? 'succeeded' : giveUp ? 'failed' : 'pending',
          leaseUntil: null,
          lastStatusCode: statusCode,
          lastError: ok ? null : error,
          nextAttemptAt: nextAt,
          completedAt: ok || giveUp ? new Date() : null,
        })
        .where(eq(webhookDeliveries.id, d.id));
      if (ok) {
        await tx.update(webhookEndpoints).set({ consecutiveFailures: 0, failingSince: null }).where(eq(webhookEndpoints.id, d.endpoint_id));
      } else if (d.status === 'enabled') {
        const [e] = await tx
          .update(webhookEndpoints)
          .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`, failingSince: sql`coalesce(${webhookEndpoints.failingSince}, now())` })
          .where(eq(webhookEndpoints.id, d.endpoint_id))
          .returning();
        const failingHours = e.failingSince ? (Date.now() - e.failingSince.getTime()) / 3600_000 : 0;
        if (failingHours >= this.opts.retryHours) await this.disable(tx, e);
      }
    });
  }

  private async disable(tx: Tx, e: EndpointRow) {
    const reason = `failed every delivery for ${this.opts.retryHours} hours (${e.consecutiveFailures} attempts in a row)`;
    // Conditional, so two failing attempts racing here disable (and announce) only once.
    const [after] = await tx
      .update(webhookEndpoints)
      .set({ status: 'disabled', disabledReason: reason, updatedAt: new Date(), version: sql`${webhookEndpoints.version} + 1` })
      .where(and(eq(webhookEndpoints.id, e.id), eq(webhookEndpoints.status, 'enabled')))
      .returning();
    if (!after) return;
    await emit(tx, { type: 'webhook_endpoint.disabled', aggregateType: 'webhook_endpoint', aggregateId: e.id, actor: { type: 'system', label: 'webhook sender' }, data: { endpoint: publicEndpoint(after), reason } });
    for (const email of await listAdminEmails(tx)) {
      await queueMail(tx, {
        to: email,
        purpose: 'webhook_disabled',
        subject: `Winkel disabled webhook endpoint ${e.url}`,
        text: `The webhook endpoint ${e.url} (${e.id}) ${reason}, so Winkel stopped sending to it.\nFix the receiver, then enable the endpoint again and replay the failed deliveries from the delivery log.\n`,
      });
    }
    this.log.warn({ endpointId: e.id, host: hostOf(e.url) }, 'webhook endpoint disabled after failing for the whole retry window');
  }
}
