// The data-holder registry: every module that keeps something about a person registers how to find
// it (discover more identifiers), hand it over (export) and remove or anonymise it (erase). Export and
// erasure walk the registry; a generic pass then covers tables no holder claims (see service.ts).
import type { Executor } from '../../platform/db.js';

/** Everything a person is known by, gathered across modules. */
export interface Person {
  customerIds: string[];
  /** Lower-cased. */
  emails: string[];
  anonymousIds: string[];
  profileIds: string[];
  /** As stored (E.164 where known). */
  phones: string[];
  names: string[];
}

export type PersonPart = Partial<Person>;

export interface DataHolder {
  /** Module name, the key in exports and erasure summaries. */
  module: string;
  /** Tables whose rows about the person this holder handles; the generic pass skips them. */
  tables: string[];
  /** Run after the sweep (and skipped by it): for holders that must briefly lock a table. */
  late?: boolean;
  /** What is kept after erasure and why, for the docs and the erasure summary. */
  keeps?: string;
  /** More identifiers of the same person found in this module. */
  discover?(db: Executor, person: Person): Promise<PersonPart>;
  export(db: Executor, person: Person): Promise<unknown>;
  /** Removes or anonymises; answers counts per table (or action). */
  erase(tx: Executor, person: Person): Promise<Record<string, number>>;
}

const holders = new Map<string, DataHolder>();

export function registerDataHolder(holder: DataHolder): void {
  holders.set(holder.module, holder);
}

export function dataHolders(): DataHolder[] {
  return [...holders.values()];
}

export function emptyPerson(): Person {
  return { customerIds: [], emails: [], anonymousIds: [], profileIds: [], phones: [], names: [] };
}

/** Adds what is new; answers whether anything was. */
export function addTo(person: Person, part: PersonPart): boolean {
  let grew = false;
  for (const k of Object.keys(person) as Array<keyof Person>) {
    for (const raw of part[k] ?? []) {
      if (typeof raw !== 'string') continue;
      const v = k === 'emails' ? raw.trim().toLowerCase() : raw.trim();
      if (!v || person[k].includes(v)) continue;
      person[k].push(v);
      grew = true;
    }
  }
  return grew;
}
