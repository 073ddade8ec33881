// Opaque, prefixed, time-sortable ids (`ord_01J…`): the prefix tells a reader what the id is,
// the ULID keeps inserts in index order.
import { randomBytes, createHash } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();

export const ID_PREFIXES = {
  staff: 'stf',
  staffSession: 'sss',
  apiKey: 'key',
  customer: 'cus',
  customerSession: 'css',
  passwordReset: 'pwr',
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
