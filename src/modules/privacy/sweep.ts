// The last line of erasure: after every module's holder ran, replaces literal copies of what
// identifies the person anywhere (in every text, JSON and text-array column of every table) with
// "[erased]", and their customer ids with the erasure's pseudonym, wherever a module put them
// (payload copies, free-text reasons, queued jobs). It looks only for values that name this person
// and no one else (their ids, proven e-mail addresses and phone numbers, anonymous and session
// ids): never names or address lines, which other people share.
import { sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../platform/db.js';
import type { Person } from '../../platform/privacy/registry.js';
import { patternOf, selectRows as rows } from '../../platform/privacy/scrub.js';

/** What the sweep replaces with "[erased]": values that name this person alone. */
export function sweepNeedles(p: Person): string[] {
  return [...new Set([...p.emails, ...p.phones.filter((x) => x.replace(/\D/g, '').length >= 6), ...p.anonymousIds, ...p.sessionIds])].filter((n) => n.length >= 5);
}

/**
 * Replaces literal copies of `erase` (case-insensitive) with "[erased]" and of each `replace` key
 * (exactly) with its value in every text, JSON and text-array column; answers hits per table.
 */
export async function sweep(
  tx: Executor,
  what: { erase: string[]; replace?: Record<string, string> },
  opts: { only?: string[]; skip?: string[] } = {},
): Promise<{ hits: Record<string, number>; refused: Record<string, string> }> {
  const hits: Record<string, number> = {};
  const refused: Record<string, string> = {};
  const erasePattern = patternOf(what.erase.filter((n) => !/["\\]/.test(n)));
  const replacements = Object.entries(what.replace ?? {}).filter(([from]) => from.length >= 5);
  const pattern = patternOf([...what.erase.filter((n) => !/["\\]/.test(n)), ...replacements.map(([from]) => from)]);
  if (!pattern) return { hits, refused };
  const columns = await rows(
    tx,
    sql`select n.nspname as schema, c.relname as table, a.attname as column, t.typname as type
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace join pg_type t on t.oid = a.atttypid
        where c.relkind in ('r', 'p') and not c.relispartition and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
          and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg_temp%'
          and t.typname in ('text', 'varchar', 'bpchar', 'json', 'jsonb', '_text', '_varchar')
        order by 1, 2, a.attnum`,
  );
  const byTable = new Map<string, Array<{ column: string; type: string }>>();
  for (const c of columns) {
    const k = `${c.schema}.${c.table}`;
    byTable.set(k, [...(byTable.get(k) ?? []), { column: String(c.column), type: String(c.type) }]);
  }
  for (const [key, cols] of byTable) {
    if (opts.only && !opts.only.includes(key)) continue;
    if (opts.skip?.includes(key)) continue;
    const [schema, table] = key.split('.');
    const target = sql`${sql.identifier(schema)}.${sql.identifier(table)}`;
    const sets = cols.map(({ column, type }) => {
      const c = sql.identifier(column);
      const one = (x: ReturnType<typeof sql>) => {
        let out = erasePattern ? sql`regexp_replace(${x}, ${erasePattern}, '[erased]', 'gi')` : x;
        for (const [from, to] of replacements) out = sql`replace(${out}, ${from}, ${to})`;
        return out;
      };
      const replaced =
        type === 'json' || type === 'jsonb'
          ? sql`${one(sql`${c}::text`)}::${sql.raw(type)}`
          : type.startsWith('_')
            ? sql`array(select ${one(sql`x`)} from unnest(${c}) with ordinality as u(x, i) order by i)`
            : one(sql`${c}`);
      return sql`${c} = case when ${c}::text ~* ${pattern} then ${replaced} else ${c} end`;
    });
    const where = sql.join(
      cols.map(({ column }) => sql`${sql.identifier(column)}::text ~* ${pattern}`),
      sql` or `,
    );
    // Look first: append-only tables refuse any UPDATE statement, even one that changes nothing.
    const [found] = await rows(tx, sql`select exists (select 1 from ${target} where ${where}) as hit`);
    if (!found?.hit) continue;
    try {
      // A savepoint, so one table that refuses does not undo the rest; it is reported instead.
      const r = await (tx as Tx).transaction((sp) => sp.execute(sql`update ${target} set ${sql.join(sets, sql`, `)} where ${where}`));
      hits[key] = r.rowCount ?? 0;
    } catch (err) {
      refused[key] = String((err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message).slice(0, 200);
    }
  }
  return { hits, refused };
}
