// Every data holder, registered in one place so erasure rules are reviewed together. Each module
// exports its holder from its own privacy.ts and works on its own tables only; the platform's
// tables (events, stored answers, mail) are reached through src/platform/privacy/platform-data.ts. The order is
// the order of discovery and erasure: who the person is first, then their records, then the copies.
import { accountsHolder } from '../accounts/index.js';
import { auditHolder } from '../audit/index.js';
import { commerceHolder } from '../commerce/index.js';
import { consentHolder } from '../consent/index.js';
import { collectedEventsHolder, profilesHolder } from '../customers/index.js';
import { fulfilmentHolder } from '../fulfilment/index.js';
import { backInStockHolder, stockMovementsHolder } from '../inventory/index.js';
import { paymentsHolder } from '../payments/index.js';
import { promotionsHolder } from '../promotions/index.js';
import { returnsHolder } from '../returns/index.js';
import { webhooksHolder } from '../webhooks/index.js';
import { eventsAbout, forgetIdempotentAnswers, forgetMail, mailAbout, rewriteEvent } from '../../platform/privacy/platform-data.js';
import { registerDataHolder, type DataHolder, type Person } from '../../platform/privacy/registry.js';
import { findersOf, patternOf, scrubJson, scrubText } from '../../platform/privacy/scrub.js';

const recordIds = (p: Person) => [...p.orderIds, ...p.cartIds, ...p.returnIds, ...p.fulfilmentIds, ...p.paymentIds, ...p.giftCardIds, ...p.promotionIds, ...p.profileIds, ...p.recordIds];

const eventsOf = (db: Parameters<DataHolder['export']>[0], p: Person) => eventsAbout(db, { customerIds: p.customerIds, aggregateIds: recordIds(p), pattern: patternOf(findersOf(p)) });

/** Domain events (the outbox): history stays, the person goes from it. */
const eventsHolder: DataHolder = {
  module: 'events',
  tables: ['outbox_events'],
  keeps: 'Domain events stay as history: their customer, actor and aggregate ids carry the pseudonym, and personal fields and traces read "[erased]".',
  discoversCopies: true,
  async discover(db, p) {
    return { eventIds: (await eventsOf(db, p)).map((e) => e.id) };
  },
  async export(db, p) {
    return (await eventsOf(db, p)).map((e) => ({ id: e.id, type: e.type, aggregateType: e.aggregateType, aggregateId: e.aggregateId, actor: e.actor, data: e.data, occurredAt: e.occurredAt }));
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    const found = await eventsOf(tx, p);
    for (const e of found) {
      await rewriteEvent(tx, e.seq, {
        customerId: e.customerId && p.customerIds.includes(e.customerId) ? pseudonym : e.customerId,
        aggregateId: scrubText(e.aggregateId, p, pseudonym),
        actor: e.actor === null ? null : scrubJson(e.actor, p, pseudonym),
        data: scrubJson(e.data, p, pseudonym),
      });
    }
    return { outbox_events: found.length };
  },
};

/** Stored answers of idempotent requests: a replay would hand the person's data out again. */
const idempotencyHolder: DataHolder = {
  module: 'idempotency',
  tables: ['idempotency_keys'],
  async export() {
    return [];
  },
  async erase(tx, p): Promise<Record<string, number>> {
    return { idempotency_keys: await forgetIdempotentAnswers(tx, { principals: p.customerIds.map((id) => `customer:${id}`), ids: [...p.customerIds, ...recordIds(p)], pattern: patternOf(findersOf(p)) }) };
  },
};

/** Mail queued or caught: to their proven addresses, password resets of their accounts, and mail about their records. */
const mailOf = (p: Person) => ({ to: p.emails, accountMailTo: p.accountEmails, pattern: patternOf([...p.customerIds, ...p.orderIds, ...p.fulfilmentIds, ...p.returnIds, ...p.giftCardIds]) });
const messagesHolder: DataHolder = {
  module: 'messages',
  tables: ['outgoing_emails', 'caught_emails'],
  async export(db, p) {
    return mailAbout(db, mailOf(p));
  },
  async erase(tx, p): Promise<Record<string, number>> {
    const r = await forgetMail(tx, mailOf(p));
    return { outgoing_emails: r.outgoing, caught_emails: r.caught };
  },
};

for (const h of [
  accountsHolder,
  collectedEventsHolder,
  profilesHolder,
  commerceHolder,
  paymentsHolder,
  returnsHolder,
  fulfilmentHolder,
  promotionsHolder,
  backInStockHolder,
  consentHolder,
  messagesHolder,
  idempotencyHolder,
  eventsHolder,
  webhooksHolder,
  auditHolder,
  stockMovementsHolder,
]) {
  registerDataHolder(h);
}
