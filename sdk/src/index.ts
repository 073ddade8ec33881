// Winkel browser SDK: collects page views and events in the Segment-spec shape and sends them to a
// Winkel server with a publishable key. Consent-aware: an event is only queued when the visitor has
// granted the purpose it needs (`analytics` unless said otherwise); until the consent state is known,
// events wait in memory and are dropped if consent is missing. Queued events survive reloads in
// localStorage (bounded), go out in batches, are retried with exponential back-off, and are handed
// to navigator.sendBeacon when the page is hidden. No dependencies.

export type Purpose = 'email' | 'sms' | 'push' | 'personalisation' | 'profiling' | 'analytics';
export type Consents = Record<Purpose, boolean>;
type Json = Record<string, unknown>;

export interface WinkelOptions {
  /** Publishable key (pk_…). */
  key: string;
  /** Winkel server origin; defaults to the page's origin. */
  host?: string;
  /** Send a page event on start and on history navigation (default true). */
  autoPage?: boolean;
  /** Send when this many events are queued (default 20). */
  flushAt?: number;
  /** …or after this many ms (default 5000). */
  flushInterval?: number;
  /** Most events kept in localStorage; the oldest are dropped beyond it (default 500). */
  maxQueue?: number;
  /**
   * How often a batch the server failed on (a 5xx answer) is sent again before it is dropped
   * (default 8, about three minutes of back-off), so one batch the server cannot take does not hold
   * up the queue for ever. Network errors, 408 and 429 are retried without limit.
   */
  maxRetries?: number;
  /** Anonymous id cookie name (default `wkl_aid`), lifetime in days (default 395) and domain. */
  cookieName?: string;
  cookieDays?: number;
  cookieDomain?: string;
}

interface Message extends Json {
  type: 'track' | 'page' | 'identify' | 'alias';
  messageId: string;
  anonymousId: string;
  timestamp: string;
}

export interface Winkel {
  track(event: string, properties?: Json, options?: { purpose?: Purpose }): void;
  page(name?: string, properties?: Json): void;
  identify(userId: string, traits?: Json): void;
  alias(userId: string, previousId?: string): void;
  consent: { get(): Promise<Consents>; set(changes: Partial<Consents>): Promise<Consents> };
  flush(): Promise<void>;
  reset(): void;
  anonymousId(): string;
  /** Resolves once the consent state is known. */
  ready: Promise<void>;
}

export const VERSION = '1.0.0';
const QUEUE_KEY = 'winkel:queue';
const USER_KEY = 'winkel:user';
const BEACON_BYTES = 60_000;

const uuid = (): string =>
  typeof crypto !== 'undefined' && crypto.randomUUID
    ? crypto.randomUUID()
    : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => ((Math.random() * 16) | (c === 'x' ? 0 : 8)).toString(16).slice(-1));

function store(key: string, value?: unknown): unknown {
  try {
    if (arguments.length > 1) {
      if (value === undefined) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
      return value;
    }
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

export function createWinkel(options: WinkelOptions): Winkel {
  const host = (options.host ?? location.origin).replace(/\/$/, '');
  const flushAt = options.flushAt ?? 20;
  const interval = options.flushInterval ?? 5000;
  const maxQueue = options.maxQueue ?? 500;
  const maxRetries = options.maxRetries ?? 8;
  const cookieName = options.cookieName ?? 'wkl_aid';
  const cookieDays = options.cookieDays ?? 395;
  const auth = { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' };

  // ---- anonymous id: a first-party cookie, written once the visitor consented to something ----
  const readCookie = () => {
    const m = document.cookie.match(new RegExp(`(?:^|; )${cookieName}=([^;]*)`));
    return m ? decodeURIComponent(m[1]) : null;
  };
  let anonymousId = readCookie() ?? uuid();
  const persistId = () => {
    if (readCookie() === anonymousId) return;
    document.cookie =
      `${cookieName}=${encodeURIComponent(anonymousId)}; Max-Age=${cookieDays * 86400}; Path=/; SameSite=Lax` +
      (location.protocol === 'https:' ? '; Secure' : '') +
      (options.cookieDomain ? `; Domain=${options.cookieDomain}` : '');
  };
  let userId = store(USER_KEY) as string | undefined;

  // ---- consent ----
  let consents: Consents | null = null;
  let pending: Array<[Purpose, Message]> = [];
  const allowed = (p: Purpose) => !!consents && consents[p];
  const apply = (current: Array<{ purpose: Purpose; granted: boolean }>) => {
    const next = {} as Consents;
    for (const c of current) next[c.purpose] = c.granted;
    consents = next;
    if (next.analytics) persistId();
    const waiting = pending;
    pending = [];
    for (const [p, m] of waiting) if (allowed(p)) enqueue(m);
    return next;
  };
  const consentUrl = `${host}/v1/sdk/consents`;
  const load = (): Promise<void> =>
    fetch(`${consentUrl}?anonymousId=${encodeURIComponent(anonymousId)}`, { headers: auth })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((b: { current: Array<{ purpose: Purpose; granted: boolean }> }) => void apply(b.current))
      // Unknown consent means no consent: drop what waited rather than send it.
      .catch(() => void apply([]));
  const ready = load();

  // ---- queue ----
  const queue = (): Message[] => (store(QUEUE_KEY) as Message[] | undefined) ?? [];
  const save = (q: Message[]) => store(QUEUE_KEY, q.slice(-maxQueue));
  const remove = (sent: Message[]) => {
    const ids = new Set(sent.map((m) => m.messageId));
    save(queue().filter((m) => !ids.has(m.messageId)));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  let serverErrors = 0;
  let sending = false;
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), ms);
  };
  function enqueue(m: Message) {
    const q = queue();
    q.push(m);
    save(q);
    if (q.length >= flushAt) void flush();
    else if (!attempts) schedule(interval);
  }

  /** A batch that fits a beacon. */
  const take = (q: Message[]) => {
    const out: Message[] = [];
    let bytes = 20;
    for (const m of q) {
      bytes += JSON.stringify(m).length + 1;
      if (out.length && (bytes > BEACON_BYTES || out.length >= 100)) break;
      out.push(m);
    }
    return out;
  };

  async function flush(): Promise<void> {
    const batch = take(queue());
    if (sending || !batch.length) return;
    sending = true;
    try {
      const r = await fetch(`${host}/v1/collect/batch`, { method: 'POST', headers: auth, body: JSON.stringify({ batch }) });
      // Retry what may succeed later: a server error a limited number of times, a time-out or
      // "too many" without limit. Anything else is done with: accepted, or refused (a 4xx, or the
      // events listed in `rejected`), which would be refused again.
      if (r.status >= 500 && ++serverErrors <= maxRetries) throw r.status;
      if (r.status === 429 || r.status === 408) throw r.status;
      if (r.status >= 400) console.warn(`winkel: ${batch.length} events dropped (${r.status})`);
      else {
        const refused = ((await r.json().catch(() => ({}))) as { rejected?: unknown[] }).rejected?.length;
        if (refused) console.warn(`winkel: ${refused} events refused by the server`);
      }
      remove(batch);
      attempts = serverErrors = 0;
      sending = false;
      if (queue().length) schedule(0);
    } catch {
      sending = false;
      attempts++;
      schedule(Math.min(60_000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2));
    }
  }

  const beacon = () => {
    const batch = take(queue());
    if (batch.length && navigator.sendBeacon?.(`${host}/v1/sdk/beacon?key=${encodeURIComponent(options.key)}`, JSON.stringify({ batch }))) remove(batch);
  };
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && beacon());
  addEventListener('pagehide', beacon);

  // ---- messages ----
  const send = (purpose: Purpose, fields: Json & { type: Message['type'] }) => {
    const m = {
      ...fields,
      messageId: uuid(),
      anonymousId,
      ...(userId ? { userId } : {}),
      timestamp: new Date().toISOString(),
      context: {
        library: { name: 'winkel.js', version: VERSION },
        page: { path: location.pathname, url: location.href, title: document.title, referrer: document.referrer, search: location.search },
        userAgent: navigator.userAgent,
        locale: navigator.language,
      },
    } as Message;
    if (!consents) pending.push([purpose, m]);
    else if (allowed(purpose)) enqueue(m);
  };

  const page = (name?: string, properties?: Json) =>
    send('analytics', { type: 'page', ...(name ? { name } : {}), properties: { path: location.pathname, url: location.href, title: document.title, referrer: document.referrer, ...properties } });

  if (options.autoPage !== false) {
    page();
    let last = location.href;
    const changed = () => location.href !== last && ((last = location.href), page());
    for (const k of ['pushState', 'replaceState'] as const) {
      const orig = history[k];
      history[k] = function (this: History, ...args: Parameters<History['pushState']>) {
        orig.apply(this, args);
        changed();
      };
    }
    addEventListener('popstate', changed);
  }
  // What an earlier visit left unsent.
  if (queue().length) schedule(1000);

  return {
    track: (event, properties, opts) => send(opts?.purpose ?? 'analytics', { type: 'track', event, properties: properties ?? {} }),
    page,
    identify(id, traits) {
      userId = String(id);
      store(USER_KEY, userId);
      send('analytics', { type: 'identify', traits: traits ?? {} });
    },
    alias(id, previousId) {
      const prev = previousId ?? userId ?? anonymousId;
      userId = String(id);
      store(USER_KEY, userId);
      send('analytics', { type: 'alias', previousId: prev });
    },
    consent: {
      get: () => ready.then(load).then(() => ({ ...consents! })),
      async set(changes) {
        persistId();
        const r = await fetch(consentUrl, {
          method: 'PUT',
          headers: auth,
          body: JSON.stringify({ anonymousId, consents: Object.entries(changes).map(([purpose, granted]) => ({ purpose, granted: !!granted })) }),
        });
        if (!r.ok) throw new Error(`winkel: consent not saved (${r.status})`);
        const next = apply(((await r.json()) as { current: Array<{ purpose: Purpose; granted: boolean }> }).current);
        // Withdrawn analytics: forget what was waiting to be sent.
        if (!next.analytics) save([]);
        return { ...next };
      },
    },
    flush,
    reset() {
      userId = undefined;
      store(USER_KEY, undefined);
      const hadCookie = readCookie() !== null;
      anonymousId = uuid();
      if (hadCookie) persistId();
    },
    anonymousId: () => anonymousId,
    ready,
  };
}
