// Opaque, prefixed, time-sortable ids (`ord_01J…`): the prefix tells a reader what the id is,
// the ULID keeps inserts in index order.
import { randomBytes, createHash } from 'node:crypto';

// Ids are ULIDs (https://github.com/ulid/spec): 10 characters of millisecond time and 16 of
// randomness (80 bits) in Crockford's base 32, so they sort by creation time.
//
// Within one millisecond the random part does not count up by one, which would make an id name its
// neighbours (a shopper's cart id ±1 was another shopper's cart): each id adds a fresh random step
// of 1 to 2^60 to the one before. Guessing the id made just before or after a known one therefore
// means trying up to 2^60 values, while ids made by this process still never go backwards, so rows
// made in one loop (an order's lines, its fulfilments, one transaction's events) keep their order
// when sorted by id. Ids of different processes interleave within a millisecond, as ULIDs always
// did. The random bytes come from a pool filled 4 KB at a time: one system call per few hundred
// ids instead of one per character.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL_BYTES = 4096;
/** Base-32 digits of the step added within one millisecond: 12 digits, 60 bits. */
const STEP_DIGITS = 12;
let pool = Buffer.alloc(0);
let poolAt = 0;
let lastTime = -1;
const lastRandom = new Uint8Array(16);

/** `n` random base-32 digits from the pool. */
function randomDigits(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

function freshRandom() {
  const r = randomDigits(16);
  // 256 is a multiple of 32: the low five bits of a random byte are uniform.
  for (let i = 0; i < 16; i++) lastRandom[i] = r[i] & 31;
}

/** Adds a random step (1 to 2^60) to the random part; false when it runs past 2^80. */
function nextRandom(): boolean {
  const step = randomDigits(STEP_DIGITS);
  // The step is the 12 random digits plus one, so it is never 0.
  let carry = 1;
  for (let i = 15; i >= 0; i--) {
    const d = 15 - i < STEP_DIGITS ? step[15 - i] & 31 : 0;
    const sum = lastRandom[i] + d + carry;
    lastRandom[i] = sum & 31;
    carry = sum >> 5;
    if (!carry && 15 - i >= STEP_DIGITS) return true;
  }
  return carry === 0;
}

export function ulid(now = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    freshRandom();
  } else if (!nextRandom()) {
    // The clock went back, or stood still for so many ids that the random part ran out: move on
    // to the next millisecond.
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
  flowRun: 'flw',
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
