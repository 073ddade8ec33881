// The data-holder registry: every module that keeps something about a person exports a holder (in
// its own privacy.ts, over its own tables) that says how to find more of the person (discover),
// hand it over (export) and remove or pseudonymise it (erase). holders.ts registers them; export and
// erasure walk the registry; a generic pass then covers tables no holder claims (see service.ts).
import type { Executor } from '../db.js';

/**
 * Everything a person is known by, gathered across modules. Three kinds of fields:
 * - identifiers that are FOLLOWED to find more: only what the person proved (their account, its
 *   verified e-mail, their own browsers) or what staff named, never what someone merely claimed;
 * - records of theirs found on the way (order ids, …), by which other modules find their rows;
 * - TRACES: what identifies them inside their own records (names, an e-mail typed at a checkout,
 *   address lines, notes, card fingerprints, session details). Traces are scrubbed where they
 *   appear in the person's records and never followed to anyone else's.
 */
export interface Person {
  customerIds: string[];
  /** Lower-cased. */
  emails: string[];
  anonymousIds: string[];
  profileIds: string[];
  /** Profiles staff named themselves: all of each is the person's, whatever joined it. */
  namedProfileIds: string[];
  /** As stored (E.164 where known). */
  phones: string[];

  orderIds: string[];
  cartIds: string[];
  returnIds: string[];
  fulfilmentIds: string[];
  paymentIds: string[];
  giftCardIds: string[];
  promotionIds: string[];
  /** Ids of other records of theirs (consent decisions, back-in-stock requests, …) that events and audit entries name. */
  recordIds: string[];
  /** Ids of the domain events about them (outbox), which webhook deliveries copy. */
  eventIds: string[];
  sessionIds: string[];
  /** The e-mail addresses of their accounts, verified or not: mail the account itself caused went there. Lower-cased. */
  accountEmails: string[];

  names: string[];
  cardFingerprints: string[];
  traces: string[];
}

export type PersonPart = Partial<Person>;

/**
 * Whose word the search for the person rests on. `self`: the signed-in customer, who proved only
 * their account (and its e-mail once verified). `staff`: staff or a secret key acting with a
 * reason, who answer for the identifiers they name and for the account's e-mail.
 */
export type Scope = 'self' | 'staff';

/** What an erasure hands each holder besides the person. */
export interface ErasureContext {
  /** A fresh id that replaces the person's customer ids in records kept for the books. */
  pseudonym: string;
}

export interface DataHolder {
  /** Module name, the key in exports and erasure summaries. */
  module: string;
  /** Tables whose rows about the person this holder handles; the generic pass skips them. */
  tables: string[];
  /** Run after the sweep (and skipped by it): for holders that must briefly lock a table. */
  late?: boolean;
  /** What is kept after erasure and why, for the docs and the erasure summary. */
  keeps?: string;
  /** More of the same person found in this module (identifiers only from what proves them). */
  discover?(db: Executor, person: Person, scope: Scope): Promise<PersonPart>;
  /** Its discover finds only copies (events about their records): run once, after the others settled. */
  discoversCopies?: boolean;
  export(db: Executor, person: Person): Promise<unknown>;
  /** Removes or pseudonymises; answers counts per table (or action). */
  erase(tx: Executor, person: Person, e: ErasureContext): Promise<Record<string, number>>;
}

const holders = new Map<string, DataHolder>();

export function registerDataHolder(holder: DataHolder): void {
  holders.set(holder.module, holder);
}

export function dataHolders(): DataHolder[] {
  return [...holders.values()];
}

export function emptyPerson(): Person {
  return {
    customerIds: [],
    emails: [],
    anonymousIds: [],
    profileIds: [],
    namedProfileIds: [],
    phones: [],
    orderIds: [],
    cartIds: [],
    returnIds: [],
    fulfilmentIds: [],
    paymentIds: [],
    giftCardIds: [],
    promotionIds: [],
    recordIds: [],
    eventIds: [],
    sessionIds: [],
    accountEmails: [],
    names: [],
    cardFingerprints: [],
    traces: [],
  };
}

/** Adds what is new; answers whether anything was. */
export function addTo(person: Person, part: PersonPart): boolean {
  let grew = false;
  for (const k of Object.keys(person) as Array<keyof Person>) {
    for (const raw of part[k] ?? []) {
      if (typeof raw !== 'string') continue;
      const v = k === 'emails' || k === 'accountEmails' ? raw.trim().toLowerCase() : raw.trim();
      if (!v || person[k].includes(v)) continue;
      person[k].push(v);
      grew = true;
    }
  }
  return grew;
}

/** True when nothing identifies anyone. */
export const isEmptyPerson = (p: Person) => !p.customerIds.length && !p.emails.length && !p.anonymousIds.length && !p.profileIds.length && !p.phones.length;
