// Carriers behind one small interface: check a shipment's tracking number and give its tracking
// link. The built-in `manual` carrier takes any number a person typed from a label; adapters for
// real carriers (PostNL, bpost, DHL) implement the same interface and can also book labels.
import { badRequest } from '../../platform/errors.js';

export interface ShipmentInput {
  fulfilmentId: string;
  trackingNumber: string;
  trackingUrl?: string | null;
}

export interface BookedShipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
}

export interface CarrierAdapter {
  /** Stable code stored on the fulfilment. */
  code: string;
  name: string;
  /** Validates (or books) the shipment and answers what to record; throws a Problem on bad input. */
  ship(input: ShipmentInput): Promise<BookedShipment>;
}

const TRACKING = /^[A-Za-z0-9][A-Za-z0-9 ._/-]{2,63}$/;

/** Tracking numbers typed by hand from whatever carrier's label; a link only when one is given. */
export const manualCarrier: CarrierAdapter = {
  code: 'manual',
  name: 'Manual (any carrier, tracking number typed in)',
  async ship(input) {
    const trackingNumber = input.trackingNumber.trim();
    if (!TRACKING.test(trackingNumber)) throw badRequest('A tracking number is 3–64 letters, digits, spaces, dots, dashes or slashes.', [{ field: '/trackingNumber', message: 'not a tracking number' }]);
    if (input.trackingUrl && !/^https?:\/\//.test(input.trackingUrl)) throw badRequest('The tracking link must start with http:// or https://.', [{ field: '/trackingUrl', message: 'not a link' }]);
    return { carrier: 'manual', trackingNumber, trackingUrl: input.trackingUrl ?? null };
  },
};

/** PostNL's public track-and-trace page needs the number and the destination; a link to the search is what we can give. */
export const postnlCarrier: CarrierAdapter = {
  code: 'postnl',
  name: 'PostNL',
  async ship(input) {
    const trackingNumber = input.trackingNumber.trim().toUpperCase();
    if (!/^3S[A-Z0-9]{8,20}$/.test(trackingNumber)) throw badRequest('A PostNL barcode starts with 3S followed by 8–20 letters or digits.', [{ field: '/trackingNumber', message: 'not a PostNL barcode' }]);
    return { carrier: 'postnl', trackingNumber, trackingUrl: `https://jouw.postnl.nl/track-and-trace/${encodeURIComponent(trackingNumber)}` };
  },
};

export class Carriers {
  private byCode = new Map<string, CarrierAdapter>();
  constructor(adapters: CarrierAdapter[] = [manualCarrier, postnlCarrier]) {
    for (const a of adapters) this.byCode.set(a.code, a);
  }
  list() {
    return [...this.byCode.values()].map((a) => ({ code: a.code, name: a.name }));
  }
  get(code: string): CarrierAdapter {
    const a = this.byCode.get(code);
    if (!a) throw badRequest(`Unknown carrier ${code}; use one of ${[...this.byCode.keys()].join(', ')}.`, [{ field: '/carrier', message: 'unknown carrier' }]);
    return a;
  }
}
