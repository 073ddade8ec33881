// Split tender: how much each tender of a checkout pays. Tenders are charged in the order given;
// one without an amount pays what is left (a gift card: what is left, up to its balance). The
// amounts must add up to the total exactly.
import type { Executor } from '../../platform/db.js';
import { Problem, type JsonPointer } from '../../platform/errors.js';
import type { PaymentSource } from './ledger.js';
import { findByCode } from './gift-cards.js';

export type Tender =
  | { method: 'test_card'; cardNumber: string; amount?: number }
  | { method: 'gift_card'; code: string; amount?: number }
  | { method: 'card_present'; fingerprint: string; last4?: string; amount?: number }
  | { method: 'cash'; tendered?: number; amount?: number };

export interface PlannedTender {
  seq: number;
  provider: string;
  amount: number;
  source: PaymentSource;
}

const invalid = (detail: string, field: JsonPointer, message: string) => new Problem({ status: 422, code: 'tenders_invalid', title: 'The request cannot be processed', detail, errors: [{ field, message }] });

export function sourceOf(t: Tender): PaymentSource {
  switch (t.method) {
    case 'test_card':
      return { type: 'card', number: t.cardNumber };
    case 'gift_card':
      return { type: 'gift_card', code: t.code };
    case 'card_present':
      return { type: 'card_present', fingerprint: t.fingerprint, last4: t.last4 };
    case 'cash':
      return { type: 'cash', tendered: t.tendered };
  }
}

/** Cash and the card terminal are at a till: only staff sessions and secret keys (the till) use them. */
const TILL_ONLY = new Set(['cash', 'card_present']);

export async function planTenders(db: Executor, tenders: Tender[], total: number, currency: string, opts: { actorType?: string } = {}): Promise<PlannedTender[]> {
  if (!tenders.length) throw invalid('Give `payment` or at least one tender.', '/tenders', 'at least one');
  for (const [i, t] of tenders.entries()) {
    if (TILL_ONLY.has(t.method) && opts.actorType !== 'staff' && opts.actorType !== 'api_key') {
      throw new Problem({ status: 403, code: 'forbidden', title: 'Not allowed', detail: `${t.method} is taken at a till: only staff sessions and secret keys may use it.`, errors: [{ field: `/tenders/${i}/method`, message: 'till only' }] });
    }
  }
  let left = total;
  const out: PlannedTender[] = [];
  for (const [i, t] of tenders.entries()) {
    if (left === 0 && total > 0) throw invalid(`Tender ${i + 1} is not needed: the tenders before it pay the total.`, `/tenders/${i}`, 'not needed');
    let amount = t.amount;
    if (amount !== undefined && amount > left) throw invalid(`Tender ${i + 1} pays ${amount} cents but only ${left} are left to pay.`, `/tenders/${i}/amount`, `at most ${left}`);
    if (amount === undefined) {
      if (t.method === 'gift_card') {
        const g = await findByCode(db, t.code);
        // An unknown or empty card is refused by the provider with its reason; ask it for what is left.
        amount = g && g.currency === currency && g.status === 'active' && g.balance > 0 ? Math.min(g.balance, left) : left;
      } else amount = left;
    }
    out.push({ seq: i + 1, provider: t.method, amount, source: sourceOf(t) });
    left -= amount;
  }
  if (left !== 0) throw invalid(`The tenders pay ${total - left} of ${total} cents; add a tender for the remaining ${left}.`, '/tenders', `${left} cents short`);
  return out;
}
