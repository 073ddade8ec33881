// What the promotions module holds on a person, for GDPR export and erasure (registered by the
// privacy module): personal offers made for them and the redemptions they made. Both stay (budgets
// and limits are counted from them) under the pseudonym, so a personal offer fits no one any more.
import { sql } from 'drizzle-orm';
import type { DataHolder } from '../../platform/privacy/registry.js';
import { changedRows, scrubbedColumn, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

export const promotionsHolder: DataHolder = {
  module: 'promotions',
  tables: ['promotions', 'promotion_redemptions'],
  keeps: 'Personal offers and redemptions stay for budgets and limits, under the pseudonym (a personal offer fits no one any more); the offer’s name loses the person.',
  async discover(db, p) {
    if (!p.customerIds.length) return {};
    const found = await selectRows(db, sql`select id from promotions where definition->>'customerId' = any(${textArray(p.customerIds)})`);
    return { promotionIds: found.map((r) => String(r.id)) };
  },
  async export(db, p) {
    return {
      personalOffers: p.promotionIds.length ? await selectRows(db, sql`select * from promotions where id = any(${textArray(p.promotionIds)}) order by id`) : [],
      redemptions: await selectRows(
        db,
        sql`select * from promotion_redemptions where customer_id = any(${textArray(p.customerIds)}) or reference = any(${textArray(p.orderIds)}) order by created_at, id`,
      ),
    };
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    let n = 0;
    for (const r of p.promotionIds.length ? await selectRows(tx, sql`select id, definition from promotions where id = any(${textArray(p.promotionIds)})`) : []) {
      const definition = { ...scrubJson(r.definition as Record<string, unknown>, p, pseudonym, { keys: false }), customerId: pseudonym };
      await tx.execute(sql`update promotions set definition = ${JSON.stringify(definition)}::jsonb, name = ${scrubbedColumn(sql`name`, p, pseudonym)}, version = version + 1, updated_at = now() where id = ${r.id}`);
      n++;
    }
    if (n) out.promotions = n;
    if (p.customerIds.length) out.promotion_redemptions = await changedRows(tx, sql`update promotion_redemptions set customer_id = ${pseudonym} where customer_id = any(${textArray(p.customerIds)})`);
    return out;
  },
};
