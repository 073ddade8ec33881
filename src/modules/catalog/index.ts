// The catalog module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { AnswerCache } from './answer-cache.js';
export { describeGtinProblem, gtinProblem } from './gtin.js';
export { pricedVariants } from './priced-variants.js';
export { categoryPaths, ensureCategories, findVariant, getProduct, lookupBarcode, slugify, upsertProductsBulk, variantExportPage, variantsForPricing, variantTitles } from './service.js';
export type { BulkProduct } from './service.js';
export { CatalogWords } from './words.js';
export { catalogRoutes } from './routes.js';
