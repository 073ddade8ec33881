// The built-in payment providers (the interface is in src/modules/commerce/payments.ts):
// - test_card: a card acquirer with documented test numbers, including one whose authorisation
//   stays pending until the gateway's signed webhook settles or fails it;
// - card_present: a card on the till's terminal; the terminal's card fingerprint is kept for
//   identity resolution;
// - cash: the till's drawer; a tendered amount below the price is refused, change is computed;
// - gift_card: the gift card ledger (redeem on authorisation, credited back on void or refund).
import { randomBytes } from 'node:crypto';
import type { Executor } from '../../platform/db.js';
import { Problem } from '../../platform/errors.js';
import { signPayload, verifySignature } from '../webhooks/signature.js';
import { cardFingerprint, luhnValid, type AuthoriseRequest, type PaymentProvider, type PaymentProviders, type ProviderCall, type ProviderResult, type WebhookOutcome } from '../commerce/payments.js';
import { cardOfEntry, changeBalance, GiftCardError, redeemByCode } from './gift-cards.js';

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
} as const;

export const TEST_GATEWAY_SIGNATURE_HEADER = 'winkel-gateway-signature';

export class TestCardGateway implements PaymentProvider {
  name = 'test_card';
  /** `webhookSecret`: TEST_GATEWAY_SECRET, or the one made for this installation; without one no webhook is believed. */
  constructor(private readonly webhookSecret?: string) {}
  async authorise(req: AuthoriseRequest): Promise<ProviderResult> {
    if (req.source.type !== 'card') return { status: 'failed', reference: null, failureCode: 'invalid_number', message: 'The test card gateway takes card numbers.' };
    const n = req.source.number.replace(/\s+/g, '');
    const base = { cardFingerprint: cardFingerprint(n), cardLast4: n.slice(-4) };
    if (!luhnValid(n)) return { status: 'failed', reference: null, failureCode: 'invalid_number', message: 'The card number is not valid.' };
    if (n === TEST_CARDS.declined) return { ...base, status: 'failed', reference: null, failureCode: 'card_declined', message: 'The card was declined.' };
    if (n === TEST_CARDS.insufficientFunds) return { ...base, status: 'failed', reference: null, failureCode: 'insufficient_funds', message: 'The card has insufficient funds.' };
    if (n === TEST_CARDS.expired) return { ...base, status: 'failed', reference: null, failureCode: 'expired_card', message: 'The card has expired.' };
    if (n === TEST_CARDS.pending) return { ...base, status: 'pending', reference: ref('tc'), message: 'The issuer confirms later (3-D Secure, bank transfer …).' };
    return { ...base, status: 'succeeded', reference: ref('tc') };
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
  const testCard = new TestCardGateway(opts.testGatewaySecret);
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
