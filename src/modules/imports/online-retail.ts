// Reads the UCI "Online Retail" transaction log (../shared/data/online-retail.csv.gz; Chen 2015,
// CC BY 4.0) as a stream and turns it into a catalog: one product per real StockCode.
//
// The rules, documented in docs/catalog.md:
// - rows of cancelled (C…) or adjusted (A…) invoices, with quantity ≤ 0 or unit price ≤ 0 are not
//   sales and are skipped (and counted);
// - codes are upper-cased (the file has '85123a' next to '85123A');
// - postage and carriage (POST, DOT, C2) become non-stock service items; other non-product codes
//   (manual lines, discounts, samples, fees, bad debt, gift vouchers) are reported, not imported;
// - the title is the code's most frequent description; the list price its most frequent unit price
//   (ties: the lower price), read as EUR for the Benelux demo;
// - the category comes from the first keyword rule that matches the title (CATEGORY_RULES).
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';

export const SERVICE_CODES: Record<string, string> = { POST: 'Postage', DOT: 'Postage (dotcom)', C2: 'Carriage' };
const NON_PRODUCT = /^(M|D|S|B|CRUK|PADS|BANK CHARGES|AMAZONFEE|DCGS.*|GIFT_.*)$/;

export interface CategoryRule {
  slug: string;
  name: { en: string; nl: string };
  words: string[];
}

/** First match wins; a word matches a whole word of the description (or its plural with -S). */
export const CATEGORY_RULES: CategoryRule[] = [
  { slug: 'christmas', name: { en: 'Christmas', nl: 'Kerst' }, words: ['CHRISTMAS', 'XMAS', 'ADVENT', 'SANTA', 'REINDEER', 'SNOWFLAKE', 'BAUBLE', 'NATIVITY'] },
  { slug: 'party', name: { en: 'Party & celebrations', nl: 'Feest' }, words: ['PARTY', 'BIRTHDAY', 'BALLOON', 'CONFETTI', 'BUNTING', 'GARLAND', 'EASTER', 'HALLOWEEN', 'WEDDING'] },
  { slug: 'candles-lights', name: { en: 'Candles & lights', nl: 'Kaarsen & verlichting' }, words: ['CANDLE', 'T-LIGHT', 'TEALIGHT', 'LANTERN', 'LAMP', 'LIGHT', 'LIGHTS', 'NIGHTLIGHT'] },
  { slug: 'kitchen-dining', name: { en: 'Kitchen & dining', nl: 'Keuken & tafel' }, words: ['MUG', 'CUP', 'SAUCER', 'PLATE', 'BOWL', 'CUTLERY', 'NAPKIN', 'BAKING', 'CAKE', 'CAKESTAND', 'TEA', 'TEAPOT', 'COFFEE', 'JAR', 'JAM', 'EGG', 'KITCHEN', 'PANTRY', 'APRON', 'TRAY', 'SPOON', 'BEAKER', 'TUMBLER', 'JUG', 'COASTER', 'PLACEMAT', 'OVEN', 'CHOPPING', 'LUNCH', 'PICNIC', 'DOILY', 'RECIPE'] },
  { slug: 'bags-storage', name: { en: 'Bags & storage', nl: 'Tassen & opbergen' }, words: ['BAG', 'SHOPPER', 'BOX', 'TIN', 'STORAGE', 'BASKET', 'HAMPER', 'CASE', 'DRAWER', 'TRUNK', 'CRATE', 'HOLDALL'] },
  { slug: 'stationery-gift-wrap', name: { en: 'Stationery & gift wrap', nl: 'Papier & cadeauverpakking' }, words: ['CARD', 'WRAP', 'PAPER', 'PENCIL', 'ALBUM', 'SCISSOR', 'PUNCH', 'STATIONERY', 'RUBBER', 'PEN', 'NOTEBOOK', 'STICKER', 'ENVELOPE', 'RIBBON', 'TAPE', 'ERASER', 'NOTE', 'CALENDAR', 'DIARY', 'BOOK', 'TAG', 'SCRAP', 'STAMP'] },
  { slug: 'toys-kids', name: { en: 'Toys & kids', nl: 'Speelgoed & kinderen' }, words: ['DOLLY', 'DOLL', 'TOY', 'GAME', 'PUZZLE', 'JIGSAW', 'CHILDRENS', 'CHILDS', 'KIDS', 'PLAYHOUSE', 'SPACEBOY', 'CRAYON', 'SKIPPING', 'TEDDY', 'SOLDIER', 'ROBOT', 'SPINNING', 'MAGIC'] },
  { slug: 'garden', name: { en: 'Garden & outdoor', nl: 'Tuin & buiten' }, words: ['GARDEN', 'PLANT', 'PLANTER', 'WATERING', 'BIRD', 'BIRDHOUSE', 'FEEDER', 'GNOME', 'POT', 'SEED', 'FLOWER'] },
  { slug: 'fashion-accessories', name: { en: 'Fashion & accessories', nl: 'Mode & accessoires' }, words: ['NECKLACE', 'BRACELET', 'EARRINGS', 'RING', 'JEWELLERY', 'HAIR', 'PURSE', 'UMBRELLA', 'SCARF', 'HANDBAG', 'BROOCH', 'CHARM', 'HAT', 'GLOVES', 'SLIPPERS', 'WALLET', 'FAN', 'PARASOL', 'KEYRING', 'KEY-CHAINS'] },
  { slug: 'bath-wellbeing', name: { en: 'Bath & wellbeing', nl: 'Bad & verzorging' }, words: ['BATH', 'SOAP', 'TOWEL', 'PLASTERS', 'TISSUES', 'SPONGE', 'WASHBAG', 'HOT WATER BOTTLE', 'BOTTLE'] },
  { slug: 'home-decor', name: { en: 'Home decoration', nl: 'Woondecoratie' }, words: ['SIGN', 'FRAME', 'CLOCK', 'CUSHION', 'DOORMAT', 'HOOK', 'KNOB', 'MIRROR', 'DECORATION', 'HANGING', 'HEART', 'WALL', 'CHALKBOARD', 'ORNAMENT', 'VASE', 'DOORSTOP', 'WREATH', 'PLAQUE', 'CURTAIN', 'RUG', 'THROW', 'INCENSE', 'BURNER', 'FRAGRANCE'] },
];
export const FALLBACK_CATEGORY: CategoryRule = { slug: 'gifts-more', name: { en: 'Gifts & more', nl: 'Cadeaus & meer' }, words: [] };

export function categoryFor(description: string): CategoryRule {
  const words = new Set(description.toUpperCase().split(/[^A-Z0-9'-]+/).filter(Boolean));
  const upper = ` ${description.toUpperCase()} `;
  for (const rule of CATEGORY_RULES) {
    for (const w of rule.words) {
      if (w.includes(' ') ? upper.includes(` ${w} `) : words.has(w) || words.has(`${w}S`) || words.has(`${w}ES`)) return rule;
    }
  }
  return FALLBACK_CATEGORY;
}

/** "WHITE HANGING HEART T-LIGHT HOLDER" → "White Hanging Heart T-Light Holder". */
export function titleCase(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/(^|[\s\-/(])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** "2.55" → 255 cents, exactly (no floating point). */
export function toCents(price: string): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(price.trim());
  if (!m) return undefined;
  const frac = (m[3] ?? '').padEnd(3, '0');
  const thousandths = Number(m[2]) * 1000 + Number(frac);
  const cents = Math.round(thousandths / 10);
  return m[1] ? -cents : cents;
}

export interface OnlineRetailItem {
  code: string;
  title: string;
  kind: 'physical' | 'service';
  listPrice: number;
  category: CategoryRule;
  salesRows: number;
  unitsSold: number;
}

export interface OnlineRetailReport {
  rows: number;
  salesRows: number;
  skipped: Record<string, number>;
  items: OnlineRetailItem[];
  notImported: Array<{ code: string; reason: string; rows: number }>;
}

interface Acc {
  descriptions: Map<string, number>;
  prices: Map<number, number>;
  rows: number;
  units: number;
}

function mostFrequent<K>(counts: Map<K, number>, tieBreak: (a: K, b: K) => number): K | undefined {
  let best: K | undefined;
  let bestN = -1;
  for (const [k, n] of counts) {
    if (n > bestN || (n === bestN && best !== undefined && tieBreak(k, best) < 0)) {
      best = k;
      bestN = n;
    }
  }
  return best;
}

export async function readOnlineRetail(file: string, onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void): Promise<OnlineRetailReport> {
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(file));
  const raw = createReadStream(file);
  let bytes = 0;
  raw.on('data', (c) => (bytes += c.length));
  const source = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const parser = source.pipe(parse({ columns: true, relax_quotes: true, skip_empty_lines: true }));
  const byCode = new Map<string, Acc>();
  const skipped: Record<string, number> = { cancelled: 0, adjustment: 0, not_a_sale_quantity: 0, no_price: 0, no_code: 0 };
  let rows = 0;
  let sales = 0;
  for await (const r of parser as AsyncIterable<Record<string, string>>) {
    rows++;
    if (onProgress && rows % 20000 === 0) onProgress(bytes, size, rows);
    const invoice = r.InvoiceNo ?? '';
    const code = (r.StockCode ?? '').trim().toUpperCase();
    const qty = Number(r.Quantity);
    const cents = toCents(r.UnitPrice ?? '');
    if (invoice.startsWith('C')) skipped.cancelled++;
    else if (invoice.startsWith('A')) skipped.adjustment++;
    else if (!code) skipped.no_code++;
    else if (!(qty > 0)) skipped.not_a_sale_quantity++;
    else if (!cents || cents <= 0) skipped.no_price++;
    else {
      sales++;
      const acc = byCode.get(code) ?? { descriptions: new Map(), prices: new Map(), rows: 0, units: 0 };
      const d = (r.Description ?? '').trim().replace(/\s+/g, ' ');
      if (d) acc.descriptions.set(d, (acc.descriptions.get(d) ?? 0) + 1);
      acc.prices.set(cents, (acc.prices.get(cents) ?? 0) + 1);
      acc.rows++;
      acc.units += qty;
      byCode.set(code, acc);
    }
  }
  onProgress?.(size, size, rows);
  const items: OnlineRetailItem[] = [];
  const notImported: OnlineRetailReport['notImported'] = [];
  for (const [code, acc] of [...byCode.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const description = mostFrequent(acc.descriptions, (a, b) => (a < b ? -1 : 1));
    const listPrice = mostFrequent(acc.prices, (a, b) => a - b)!;
    if (SERVICE_CODES[code]) {
      items.push({ code, title: SERVICE_CODES[code], kind: 'service', listPrice, category: FALLBACK_CATEGORY, salesRows: acc.rows, unitsSold: acc.units });
    } else if (NON_PRODUCT.test(code)) {
      notImported.push({ code, reason: `not a product (${description ?? 'no description'})`, rows: acc.rows });
    } else if (!description) {
      notImported.push({ code, reason: 'no description on any sale', rows: acc.rows });
    } else {
      items.push({ code, title: titleCase(description), kind: 'physical', listPrice, category: categoryFor(description), salesRows: acc.rows, unitsSold: acc.units });
    }
  }
  return { rows, salesRows: sales, skipped, items, notImported };
}
