// Opaque, prefixed, time-sortable ids (`ord_01J…`): the prefix tells a reader what the id is,
// the ULID keeps inserts in index order.
import { randomBytes, createHash } from 'node:crypto';

// Ids are ULIDs (https://github.com/ulid/spec): 10 characters of millisecond time and 16 of
// randomness in Crockford's base 32, so they sort by creation time. Within one millisecond the
// random part counts up by one, so ids made by this process never go backwards. The random bytes
// come from a pool filled 4 KB at a time: one system call per ~250 ids instead of one per character.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;
let lastTime = -1;
const lastRandom = new Uint8Array(16);

function freshRandom() {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  // 256 is a multiple of 32: the low five bits of a random byte are uniform.
  for (let i = 0; i < 16; i++) lastRandom[i] = pool[poolAt + i] & 31;
  poolAt += 16;
}

/** Adds one to the random part; false when it was all ones (2^80 ids in one millisecond). */
function nextRandom(): boolean {
  for (let i = 15; i >= 0; i--) {
    if (lastRandom[i] < 31) {
      lastRandom[i]++;
      return true;
    }
    lastRandom[i] = 0;
  }
  return false;
}

export function ulid(now = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    freshRandom();
  } else if (!nextRandom()) {
    // The clock went back or stood still for 2^80 ids: move on to the next millisecond.
    lastTime++;
    freshRandom();
  }
  let t = lastTime;
  const out = new Array<string>(26);
  for (let i = 9; i >= 0; i--) {
    out[i] = CROCKFORD[t % 32];
    t = Math.floor(t / 32);
  }
  for (let i = 0; i < 16; i++) out[10 + i] = CROCKFORD[lastRandom[i]];
  return out.join('');
}

export const ID_PREFIXES = {
  staff: 'stf',
  staffSession: 'sss',
  apiKey: 'key',
  customer: 'cus',
  customerSession: 'css',
  passwordReset: 'pwr',
  staffPasswordReset: 'spr',
  webhookEndpoint: 'whe',
  webhookDelivery: 'whd',
  event: 'evt',
  audit: 'aud',
  email: 'eml',
  outgoingEmail: 'msg',
  request: 'req',
  category: 'cat',
  product: 'prd',
  variant: 'var',
  priceList: 'pl',
  importJob: 'imp',
  location: 'loc',
  reservation: 'rsv',
  transfer: 'trf',
  countSheet: 'cnt',
  supplier: 'sup',
  purchaseOrder: 'po',
  backInStock: 'bis',
  promotion: 'pro',
  redemption: 'red',
  couponBatch: 'cpb',
  cart: 'cart',
  cartLine: 'cl',
  order: 'ord',
  orderLine: 'ol',
  orderNote: 'note',
  payment: 'pay',
  giftCard: 'gc',
  giftCardEntry: 'gce',
  return: 'ret',
  returnLine: 'rl',
  collectedEvent: 'cev',
  profile: 'prf',
  timelineEntry: 'tle',
  profileMerge: 'pmg',
  profileSeparation: 'psp',
  fulfilment: 'ful',
  consent: 'cns',
  consentLinkKey: 'cnk',
  erasure: 'era',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${ulid()}`;
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(value);
}

/** A secret token: prefix + 32 random bytes in base64url. Only its hash is ever stored. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

// A request's credential is hashed by the rate limiter and again by the authentication that
// follows it; the last answer is kept so the second costs nothing.
let lastSecret = '';
let lastHash = '';
export function hashSecret(secret: string): string {
  if (secret === lastSecret && lastHash) return lastHash;
  lastHash = createHash('sha256').update(secret).digest('hex');
  lastSecret = secret;
  return lastHash;
}
