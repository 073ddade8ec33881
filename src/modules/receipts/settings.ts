// Who issues the receipts: the shop's identity and time zone, from the configuration
// (SHOP_NAME, SHOP_ADDRESS, SHOP_VAT_NUMBER, SHOP_TIME_ZONE; see README). Set once when the routes
// are registered, so that the checkout flow's confirmation mail uses the same identity as the API.
import { DEFAULTS, type Config } from '../../platform/config.js';

export interface ShopIdentity {
  name: string;
  /** Address lines; empty when not configured. */
  address: string[];
  /** Empty when not configured. */
  vatNumber: string;
  timeZone: string;
  /** Base URL shoppers reach the web app on (links in e-mail); empty when unknown. */
  publicUrl: string;
}

function fromConfig(c: Pick<Config, 'shopName' | 'shopAddress' | 'shopVatNumber' | 'shopTimeZone'>, publicUrl = ''): ShopIdentity {
  return {
    name: c.shopName,
    address: c.shopAddress
      .split(/\s*[|]\s*|,\s+/)
      .map((s) => s.trim())
      .filter(Boolean),
    vatNumber: c.shopVatNumber,
    timeZone: c.shopTimeZone,
    publicUrl: publicUrl.replace(/\/$/, ''),
  };
}

let current: ShopIdentity = fromConfig(DEFAULTS);

export function configureShopIdentity(config: Config, publicUrl: string) {
  current = fromConfig(config, publicUrl);
}

export function shopIdentity(): ShopIdentity {
  return current;
}
