// What the payments module holds on a person, for GDPR export and erasure (registered by the
// privacy module): the payment rows of their orders and carts (with the card's fingerprint and last
// digits) and gift cards issued to them. Payments stay for the books, without the card details
// that would tie them to the person (identity resolution uses a till card's fingerprint).
import { sql } from 'drizzle-orm';
import type { DataHolder } from '../../platform/privacy/registry.js';
import { changedRows, scrubbedColumn, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

export const paymentsHolder: DataHolder = {
  module: 'payments',
  tables: ['payments', 'gift_cards', 'gift_card_ledger'],
  keeps: 'Payment rows stay (amounts, provider references) without the card fingerprint and last digits; gift cards stay (bearer value) under the pseudonym.',
  async discover(db, p) {
    if (!p.orderIds.length && !p.cartIds.length && !p.customerIds.length) return {};
    const payments = await selectRows(db, sql`select id, card_fingerprint from payments where order_id = any(${textArray(p.orderIds)}) or cart_id = any(${textArray(p.cartIds)})`);
    const cards = await selectRows(db, sql`select id from gift_cards where customer_id = any(${textArray(p.customerIds)})`);
    return {
      paymentIds: payments.map((r) => String(r.id)),
      cardFingerprints: payments.map((r) => r.card_fingerprint).filter((f): f is string => typeof f === 'string' && !!f),
      giftCardIds: cards.map((r) => String(r.id)),
    };
  },
  async export(db, p) {
    return {
      payments: p.paymentIds.length ? await selectRows(db, sql`select * from payments where id = any(${textArray(p.paymentIds)}) order by created_at, id`) : [],
      giftCards: p.giftCardIds.length
        ? await selectRows(db, sql`select id, last4, currency, balance, initial_amount as "initialAmount", status, origin, reference, created_at as "createdAt" from gift_cards where id = any(${textArray(p.giftCardIds)}) order by id`)
        : [],
    };
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    if (p.paymentIds.length) {
      out.payments = await changedRows(
        tx,
        sql`update payments set card_fingerprint = null, card_last4 = null, reason = case when reason is null then null else ${scrubbedColumn(sql`reason`, p, pseudonym)} end where id = any(${textArray(p.paymentIds)})`,
      );
    }
    if (p.giftCardIds.length) {
      out.gift_cards = await changedRows(tx, sql`update gift_cards set customer_id = ${pseudonym}, version = version + 1 where id = any(${textArray(p.giftCardIds)})`);
      let n = 0;
      for (const e of await selectRows(tx, sql`select seq, actor, reference from gift_card_ledger where gift_card_id = any(${textArray(p.giftCardIds)}) and actor is not null`)) {
        await tx.execute(sql`update gift_card_ledger set actor = ${JSON.stringify(scrubJson(e.actor, p, pseudonym))}::jsonb where seq = ${e.seq}`);
        n++;
      }
      out.gift_card_ledger = n;
    }
    return out;
  },
};
