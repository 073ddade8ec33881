// Gift cards: a balance per card and the append-only ledger it is derived from. The code itself is
// never stored: only its SHA-256 hash (to find the card) and its last four characters (to show).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
