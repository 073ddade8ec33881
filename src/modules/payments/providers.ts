// The built-in payment providers (the interface is in src/modules/payments/ledger.ts):
// - test_card: a card acquirer with documented test numbers, including one whose authorisation
//   stays pending until the gateway's signed webhook settles or fails it; it keeps its own books
//   (authorisations with a lifetime, captures, voids, refunds, idempotency keys) like an acquirer;
// - card_present: a card on the till's terminal; the terminal's card fingerprint is kept for
//   identity resolution;
// - cash: the till's drawer; a tendered amount below the price is refused, change is computed;
// - gift_card: the gift card ledger (redeem on authorisation, credited back on void or refund).
// Cash and the terminal are captured at the sale; online cards and gift cards when goods leave.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../platform/db.js';
import { Problem } from '../../platform/errors.js';
import { signPayload, verifySignature } from '../webhooks/index.js';
import { cardFingerprint, luhnValid, type AuthoriseRequest, type PaymentProvider, type PaymentProviders, type ProviderCall, type ProviderResult, type WebhookOutcome } from './ledger.js';
import { cardOfEntry, changeBalance, GiftCardError, redeemByCode } from './gift-cards.js';
import { testGatewayAuthorisations, testGatewayRequests } from './schema.js';

const ref = (prefix: string) => `${prefix}_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
const ok = (reference: string): ProviderResult => ({ status: 'succeeded', reference });

/** Test card numbers (spaces allowed); any other Luhn-valid number is authorised. */
export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  /** Authorisation answers `pending`; the gateway's webhook later settles or fails it. */
  pending: '4000000000003220',
  /** Authorised, but once the authorisation expires the issuer refuses a new one. */
  noRenewal: '4000000000000341',
} as const;

/** How long the test gateway holds an authorisation, as card issuers do for online payments. */
export const TEST_CARD_AUTHORISATION_DAYS = 7;

export const TEST_GATEWAY_SIGNATURE_HEADER = 'winkel-gateway-signature';

type GatewayOperation = 'capture' | 'void' | 'refund' | 'reauthorise';

export class TestCardGateway implements PaymentProvider {
  name = 'test_card';
  readonly captureRule = 'when_goods_leave' as const;
  /**
   * With `db` the gateway keeps its books in the test_gateway_* tables. It writes them in the
   * caller's transaction when there is one (`call.db`, as the gift card provider does): a gateway
   * with connections of its own would make every capture inside a transaction wait for a second
   * connection from the same pool, and parallel refunds would starve it. A real acquirer is outside
   * Winkel's transactions; the idempotency keys Winkel sends are what keeps a retry from moving its
   * money twice. Without `db`, every capture, void and refund succeeds and nothing is kept (enough
   * to sign webhooks in tests).
   */
  constructor(
    /** TEST_GATEWAY_SECRET, or the one made for this installation; without one no webhook is believed. */
    private readonly webhookSecret?: string,
    private readonly db?: Executor,
  ) {}

  async authorise(req: AuthoriseRequest, call?: ProviderCall): Promise<ProviderResult> {
    if (req.source.type !== 'card') return { status: 'failed', reference: null, failureCode: 'invalid_number', message: 'The test card gateway takes card numbers.' };
    const n = req.source.number.replace(/\s+/g, '');
    const base = { cardFingerprint: cardFingerprint(n), cardLast4: n.slice(-4) };
    if (!luhnValid(n)) return { status: 'failed', reference: null, failureCode: 'invalid_number', message: 'The card number is not valid.' };
    if (n === TEST_CARDS.declined) return { ...base, status: 'failed', reference: null, failureCode: 'card_declined', message: 'The card was declined.' };
    if (n === TEST_CARDS.insufficientFunds) return { ...base, status: 'failed', reference: null, failureCode: 'insufficient_funds', message: 'The card has insufficient funds.' };
    if (n === TEST_CARDS.expired) return { ...base, status: 'failed', reference: null, failureCode: 'expired_card', message: 'The card has expired.' };
    const reference = ref('tc');
    const expiresAt = await this.hold(reference, req.amount, req.currency, n !== TEST_CARDS.noRenewal, null, call?.db ?? this.db);
    if (n === TEST_CARDS.pending) return { ...base, status: 'pending', reference, expiresAt, message: 'The issuer confirms later (3-D Secure, bank transfer …).' };
    return { ...base, status: 'succeeded', reference, expiresAt };
  }

  /** Opens an authorisation in the gateway's books; answers when it expires. */
  private async hold(reference: string, amount: number, currency: string, renewable: boolean, renewedFrom: string | null, db: Executor | undefined) {
    const expiresAt = new Date(Date.now() + TEST_CARD_AUTHORISATION_DAYS * 86_400_000);
    if (db) await db.insert(testGatewayAuthorisations).values({ reference, amount, currency, renewable, renewedFrom, expiresAt });
    return expiresAt.toISOString();
  }

  /**
   * One money movement, at most once per idempotency key: the key is claimed with the movement (a
   * concurrent twin waits for it), and a repeat answers the stored first answer.
   */
  private async once(operation: GatewayOperation, reference: string, amount: number, call: ProviderCall | undefined, move: (tx: Tx) => Promise<ProviderResult>): Promise<ProviderResult> {
    const db = call?.db ?? this.db;
    if (!db) return ok(reference);
    const key = call?.idempotencyKey;
    return (db as { transaction: Tx['transaction'] }).transaction(async (tx) => {
      if (key) {
        const claimed = await tx.insert(testGatewayRequests).values({ idempotencyKey: key, operation, reference, amount }).onConflictDoNothing().returning({ key: testGatewayRequests.idempotencyKey });
        if (!claimed.length) {
          const [first] = await tx.select().from(testGatewayRequests).where(eq(testGatewayRequests.idempotencyKey, key));
          if (first.operation !== operation || first.reference !== reference || first.amount !== amount) {
            return { status: 'failed', reference, failureCode: 'provider_error', message: `Idempotency key ${key} was used for another request.` } satisfies ProviderResult;
          }
          return first.result as ProviderResult;
        }
      }
      const result = await move(tx);
      if (key) await tx.update(testGatewayRequests).set({ result }).where(eq(testGatewayRequests.idempotencyKey, key));
      return result;
    });
  }

  private async refusal(tx: Tx, reference: string, over: string): Promise<ProviderResult> {
    const [a] = await tx.select().from(testGatewayAuthorisations).where(eq(testGatewayAuthorisations.reference, reference));
    if (!a) return { status: 'failed', reference, failureCode: 'provider_error', message: `The gateway knows no authorisation ${reference}.` };
    if (a.expiresAt.getTime() <= Date.now()) return { status: 'failed', reference, failureCode: 'authorisation_expired', message: `The authorisation expired on ${a.expiresAt.toISOString()}.` };
    return { status: 'failed', reference, failureCode: 'amount_exceeds_authorisation', message: over };
  }

  async capture(reference: string, amount: number, call?: ProviderCall) {
    return this.once('capture', reference, amount, call, async (tx) => {
      const r = await tx
        .update(testGatewayAuthorisations)
        .set({ captured: sql`${testGatewayAuthorisations.captured} + ${amount}` })
        .where(and(eq(testGatewayAuthorisations.reference, reference), sql`${testGatewayAuthorisations.expiresAt} > now()`, sql`${testGatewayAuthorisations.amount} - ${testGatewayAuthorisations.captured} - ${testGatewayAuthorisations.voided} >= ${amount}`))
        .returning({ reference: testGatewayAuthorisations.reference });
      return r.length ? ok(reference) : this.refusal(tx, reference, `Capturing ${amount} cents is more than the authorisation holds.`);
    });
  }

  /** Releases what is held; an expired authorisation holds nothing any more, so that succeeds too. */
  async void(reference: string, amount: number, call?: ProviderCall) {
    return this.once('void', reference, amount, call, async (tx) => {
      const r = await tx
        .update(testGatewayAuthorisations)
        .set({ voided: sql`${testGatewayAuthorisations.voided} + ${amount}` })
        .where(and(eq(testGatewayAuthorisations.reference, reference), sql`${testGatewayAuthorisations.amount} - ${testGatewayAuthorisations.captured} - ${testGatewayAuthorisations.voided} >= ${amount}`))
        .returning({ expiresAt: testGatewayAuthorisations.expiresAt });
      return r.length ? ok(reference) : this.refusal(tx, reference, `Voiding ${amount} cents is more than the authorisation holds.`);
    });
  }

  async refund(reference: string, amount: number, call?: ProviderCall) {
    return this.once('refund', reference, amount, call, async (tx) => {
      const r = await tx
        .update(testGatewayAuthorisations)
        .set({ refunded: sql`${testGatewayAuthorisations.refunded} + ${amount}` })
        .where(and(eq(testGatewayAuthorisations.reference, reference), sql`${testGatewayAuthorisations.captured} - ${testGatewayAuthorisations.refunded} >= ${amount}`))
        .returning({ reference: testGatewayAuthorisations.reference });
      if (r.length) return ok(reference);
      const [a] = await tx.select().from(testGatewayAuthorisations).where(eq(testGatewayAuthorisations.reference, reference));
      return { status: 'failed', reference, failureCode: 'provider_error', message: a ? `Refunding ${amount} cents is more than was captured and not refunded.` : `The gateway knows no authorisation ${reference}.` } satisfies ProviderResult;
    });
  }

  /** The issuer is asked again on the same card; test card 4000 0000 0000 0341 is refused. */
  async reauthorise(reference: string, amount: number, call?: ProviderCall) {
    return this.once('reauthorise', reference, amount, call, async (tx) => {
      const [a] = await tx.select().from(testGatewayAuthorisations).where(eq(testGatewayAuthorisations.reference, reference));
      if (!a) return { status: 'failed', reference: null, failureCode: 'provider_error', message: `The gateway knows no authorisation ${reference}.` } satisfies ProviderResult;
      if (!a.renewable) return { status: 'failed', reference: null, failureCode: 'card_declined', message: 'The issuer refused a new authorisation on this card.' } satisfies ProviderResult;
      const renewed = ref('tc');
      const expiresAt = await this.hold(renewed, amount, a.currency, true, reference, tx);
      return { status: 'succeeded', reference: renewed, expiresAt } satisfies ProviderResult;
    });
  }

  /** What the gateway would send: a JSON body and its signature header (tests and the developer tools use it). */
  signWebhook(outcome: WebhookOutcome, timestamp?: number) {
    const body = JSON.stringify({ type: outcome.status === 'succeeded' ? 'authorisation.settled' : 'authorisation.failed', reference: outcome.reference, failureCode: outcome.failureCode ?? null });
    if (!this.webhookSecret) throw new Error('the test card gateway has no webhook secret');
    return { body, signature: signPayload(this.webhookSecret, body, timestamp) };
  }
  parseWebhook(headers: Record<string, string | string[] | undefined>, rawBody: string): WebhookOutcome | null {
    const sig = headers[TEST_GATEWAY_SIGNATURE_HEADER];
    if (!this.webhookSecret || typeof sig !== 'string' || !verifySignature(this.webhookSecret, rawBody, sig)) return null;
    let body: { type?: string; reference?: string; failureCode?: string | null };
    try {
      body = JSON.parse(rawBody);
    } catch {
      return null;
    }
    if (typeof body.reference !== 'string' || (body.type !== 'authorisation.settled' && body.type !== 'authorisation.failed')) {
      throw new Problem({ status: 400, code: 'validation', title: 'The request is not valid', detail: 'A gateway webhook has `type` authorisation.settled or authorisation.failed and a `reference`.', errors: [{ field: '/type', message: 'authorisation.settled or authorisation.failed' }] });
    }
    return { reference: body.reference, status: body.type === 'authorisation.settled' ? 'succeeded' : 'failed', failureCode: (body.failureCode as WebhookOutcome['failureCode']) ?? undefined };
  }
}

export class CardPresentTerminal implements PaymentProvider {
  name = 'card_present';
  readonly captureRule = 'at_sale' as const;
  async authorise(req: AuthoriseRequest): Promise<ProviderResult> {
    if (req.source.type !== 'card_present') return { status: 'failed', reference: null, failureCode: 'provider_error', message: 'The terminal reads a card present at the till.' };
    return { status: 'succeeded', reference: ref('cp'), cardFingerprint: req.source.fingerprint, cardLast4: req.source.last4 };
  }
  async capture(reference: string) {
    return ok(reference);
  }
  async void(reference: string) {
    return ok(reference);
  }
  async refund(reference: string) {
    return ok(reference);
  }
}

export class CashDrawer implements PaymentProvider {
  name = 'cash';
  readonly captureRule = 'at_sale' as const;
  async authorise(req: AuthoriseRequest): Promise<ProviderResult> {
    if (req.source.type !== 'cash') return { status: 'failed', reference: null, failureCode: 'provider_error', message: 'Cash is cash.' };
    const tendered = req.source.tendered ?? req.amount;
    if (tendered < req.amount) return { status: 'failed', reference: null, failureCode: 'cash_short', message: `Tendered ${tendered} cents for ${req.amount}.` };
    return { status: 'succeeded', reference: ref('cash'), change: tendered - req.amount };
  }
  async capture(reference: string) {
    return ok(reference);
  }
  async void(reference: string) {
    return ok(reference);
  }
  async refund(reference: string) {
    return ok(reference);
  }
}

/** Gift cards: the authorisation redeems (debits) at once; a void or refund credits the card again. */
export class GiftCardProvider implements PaymentProvider {
  name = 'gift_card';
  /** The balance is debited at authorisation already; the ledger's capture follows the goods like a card's. */
  readonly captureRule = 'when_goods_leave' as const;
  constructor(private readonly db: Executor) {}
  async authorise(req: AuthoriseRequest, call?: ProviderCall): Promise<ProviderResult> {
    if (req.source.type !== 'gift_card') return { status: 'failed', reference: null, failureCode: 'provider_error', message: 'A gift card payment needs a gift card code.' };
    try {
      const r = await redeemByCode(call?.db ?? this.db, call?.actor ?? { type: 'system' }, req.source.code, req.amount, req.reference ?? call?.reference, req.currency);
      return { status: 'succeeded', reference: r.entryId, giftCardId: r.giftCard.id };
    } catch (err) {
      if (!(err instanceof GiftCardError)) throw err;
      const code = err.code === 'insufficient_balance' ? 'insufficient_funds' : err.code === 'gift_card_disabled' ? 'gift_card_disabled' : err.code === 'currency_mismatch' ? 'currency_mismatch' : 'unknown_gift_card';
      return { status: 'failed', reference: null, failureCode: code, message: err.detail };
    }
  }
  async capture(reference: string) {
    return ok(reference);
  }
  private async credit(kind: 'void' | 'refund', reference: string, amount: number, call?: ProviderCall) {
    const db = call?.db ?? this.db;
    const entry = await cardOfEntry(db, reference);
    await changeBalance(db, call?.actor ?? { type: 'system' }, { giftCardId: entry.giftCardId, kind, amount, reference: call?.reference ?? reference });
    return { ...ok(reference), giftCardId: entry.giftCardId };
  }
  async void(reference: string, amount: number, call?: ProviderCall) {
    return this.credit('void', reference, amount, call);
  }
  async refund(reference: string, amount: number, call?: ProviderCall) {
    return this.credit('refund', reference, amount, call);
  }
}

/** The providers of one process; cheap to build (no connections of its own). */
export function paymentProviders(db: Executor, opts: { testGatewaySecret?: string } = {}): PaymentProviders & { testCard: TestCardGateway } {
  const testCard = new TestCardGateway(opts.testGatewaySecret, db);
  const all: Record<string, PaymentProvider> = { test_card: testCard, card_present: new CardPresentTerminal(), cash: new CashDrawer(), gift_card: new GiftCardProvider(db) };
  return {
    testCard,
    get(name: string) {
      const p = all[name];
      if (!p) throw new Problem({ status: 422, code: 'unknown_payment_method', title: 'Unknown payment method', detail: `No payment provider ${name}; use one of ${Object.keys(all).join(', ')}.` });
      return p;
    },
    names: () => Object.keys(all),
  };
}
