// The delivery address of an order: checked at checkout, kept on the order (a jsonb column, erased on
// request like the rest of the person's data), shown on the pick list and the ship screen, and its
// coordinates (when the shop sends them) tell the sourcing engine how far each location is.
import Type, { type Static } from 'typebox';
import { badRequest, type FieldPath } from '../../platform/errors.js';

export const ShippingAddress = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Who receives the parcel.' }),
    line1: Type.String({ minLength: 1, maxLength: 200, description: 'Street and house number.' }),
    line2: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    postalCode: Type.String({ minLength: 1, maxLength: 16 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 (NL, BE, …).' }),
    phone: Type.Optional(Type.Union([Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164, e.g. +31612345678.' }), Type.Null()])),
    latitude: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
    longitude: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
  },
  { $id: 'ShippingAddress', additionalProperties: false, description: 'Where a home delivery goes.' },
);
export type ShippingAddressInput = Static<typeof ShippingAddress>;
export interface StoredAddress {
  name: string;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  country: string;
  phone: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Postal codes of the countries the shop delivers to most, checked so a typo is caught before the parcel leaves. */
const POSTAL_CODES: Record<string, { pattern: RegExp; example: string }> = {
  NL: { pattern: /^[1-9][0-9]{3} ?[A-Z]{2}$/, example: '1234 AB' },
  BE: { pattern: /^[1-9][0-9]{3}$/, example: '9000' },
  DE: { pattern: /^[0-9]{5}$/, example: '10115' },
  LU: { pattern: /^(L-)?[0-9]{4}$/, example: '1009' },
  FR: { pattern: /^[0-9]{5}$/, example: '75001' },
};

let regions: Intl.DisplayNames | null = null;
function isRegion(code: string) {
  regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  try {
    return regions.of(code) !== undefined;
  } catch {
    return false;
  }
}

/** Checks what the schema cannot (a real country, its postal code, coordinates in pairs) and normalises it. 400 naming the field. */
export function normaliseAddress(a: ShippingAddressInput, path: FieldPath = '/shippingAddress'): StoredAddress {
  const trim = (s: string | null | undefined) => (s ?? '').trim().replace(/\s+/g, ' ');
  const country = a.country.toUpperCase();
  if (!isRegion(country)) throw badRequest(`${a.country} is not an ISO 3166-1 country code.`, [{ field: `${path}/country`, message: 'unknown country code (use e.g. NL or BE)' }]);
  const out: StoredAddress = {
    name: trim(a.name),
    line1: trim(a.line1),
    line2: trim(a.line2) || null,
    postalCode: trim(a.postalCode).toUpperCase(),
    city: trim(a.city),
    country,
    phone: a.phone ?? null,
    latitude: a.latitude ?? null,
    longitude: a.longitude ?? null,
  };
  for (const k of ['name', 'line1', 'postalCode', 'city'] as const) if (!out[k]) throw badRequest(`The delivery address needs a ${k}.`, [{ field: `${path}/${k}`, message: 'required' }]);
  const pc = POSTAL_CODES[country];
  if (pc && !pc.pattern.test(out.postalCode)) throw badRequest(`${out.postalCode} is not a postal code in ${country} (like ${pc.example}).`, [{ field: `${path}/postalCode`, message: `expected like ${pc.example}` }]);
  if (country === 'NL') out.postalCode = out.postalCode.replace(/^([0-9]{4}) ?([A-Z]{2})$/, '$1 $2');
  if ((out.latitude === null) !== (out.longitude === null)) throw badRequest('Give both latitude and longitude, or neither.', [{ field: `${path}/${out.latitude === null ? 'latitude' : 'longitude'}`, message: 'required with the other coordinate' }]);
  return out;
}
