// The pricing module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { candidatePricesOf, ensurePriceList, nextPriceListChange, pricesFromCandidates, resolvePrices, setPrices, unitPricesIn, variantIdsPricedBetween } from './service.js';
export type { CandidateRow, PriceContext, PricedVariants, ResolvedPrice } from './service.js';
export { TAX_CLASSES, vatBreakdown, vatRate } from './vat.js';
export type { Country, TaxClass } from './vat.js';
export { pricingRoutes } from './routes.js';
