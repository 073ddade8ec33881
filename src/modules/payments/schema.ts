// Gift cards: a balance per card and the append-only ledger it is derived from. The code itself is
// never stored: only its SHA-256 hash (to find the card) and its last four characters (to show).
// And the test card gateway's own books (what the stand-in acquirer holds). And the payment ledger of
// orders: every authorisation, capture, void and refund (src/modules/payments/ledger.ts).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const giftCards = pgTable(
  'gift_cards',
  {
    id: text('id').primaryKey(),
    codeHash: text('code_hash').notNull(),
    last4: text('last4').notNull(),
    currency: text('currency').notNull().default('EUR'),
    balance: bigint('balance', { mode: 'number' }).notNull().default(0),
    initialAmount: bigint('initial_amount', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
    customerId: text('customer_id'),
    /** Why it was issued: sold, store credit for a return, goodwill. */
    origin: text('origin', { enum: ['sold', 'store_credit', 'goodwill'] }).notNull().default('sold'),
    reference: text('reference'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('gift_cards_code').on(t.codeHash), index('gift_cards_customer').on(t.customerId), check('gift_card_balance_not_negative', sql`${t.balance} >= 0`)],
);

export const giftCardLedger = pgTable(
  'gift_card_ledger',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    giftCardId: text('gift_card_id')
      .notNull()
      .references(() => giftCards.id),
    kind: text('kind', { enum: ['issue', 'redeem', 'reload', 'refund', 'void'] }).notNull(),
    /** Signed cents: + adds to the balance, − takes from it. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    balanceAfter: bigint('balance_after', { mode: 'number' }).notNull(),
    reference: text('reference'),
    actor: jsonb('actor'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('gift_card_ledger_card').on(t.giftCardId, t.seq)],
);

/**
 * The test card gateway's own books: what the stand-in acquirer holds per authorisation (amount,
 * lifetime, captured, voided, refunded), so that it refuses what a real one would (capturing an
 * expired authorisation, or more than it holds). Winkel's record of the money is the `payments`
 * ledger; this is only the gateway's side. No card data.
 */
export const testGatewayAuthorisations = pgTable(
  'test_gateway_authorisations',
  {
    reference: text('reference').primaryKey(),
    currency: text('currency').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    captured: bigint('captured', { mode: 'number' }).notNull().default(0),
    voided: bigint('voided', { mode: 'number' }).notNull().default(0),
    refunded: bigint('refunded', { mode: 'number' }).notNull().default(0),
    /** The issuer gives a new authorisation on this card when one expires (false for test card 4000 0000 0000 0341). */
    renewable: boolean('renewable').notNull().default(true),
    /** The expired authorisation this one renews. */
    renewedFrom: text('renewed_from'),
    /** After this the money is no longer held: a capture fails with authorisation_expired. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('test_gateway_within_authorisation', sql`${t.captured} + ${t.voided} <= ${t.amount} and ${t.refunded} <= ${t.captured}`)],
);

/** The test gateway's idempotency keys: a repeated key answers the first answer and moves no money. */
export const testGatewayRequests = pgTable('test_gateway_requests', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  operation: text('operation').notNull(),
  reference: text('reference').notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  result: jsonb('result'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Every authorisation, capture, void and refund; the order's paid amount is derived from it. */
export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id'),
    cartId: text('cart_id').notNull(),
    provider: text('provider').notNull(),
    kind: text('kind', { enum: ['authorisation', 'capture', 'void', 'refund'] }).notNull(),
    status: text('status', { enum: ['succeeded', 'failed', 'pending'] }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    providerReference: text('provider_reference'),
    failureCode: text('failure_code'),
    /** Position of the tender in a split payment (1 = charged first). */
    tenderSeq: integer('tender_seq').notNull().default(1),
    /** The authorisation a capture, void or refund belongs to. */
    parentId: text('parent_id'),
    /** Card-present payments: the card's fingerprint (for identity resolution) and last digits. */
    cardFingerprint: text('card_fingerprint'),
    cardLast4: text('card_last4'),
    giftCardId: text('gift_card_id'),
    /** Authorisations: until when the provider holds the money (from the provider; null when it does not say). */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** What caused the row: a return, an order edit, a fulfilment. */
    reference: text('reference'),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('payments_order').on(t.orderId), index('payments_cart').on(t.cartId), index('payments_parent').on(t.parentId), index('payments_fingerprint').on(t.cardFingerprint), check('payment_amount_not_negative', sql`${t.amount} >= 0`)],
);
