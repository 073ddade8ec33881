// The promotions module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { compilePromotions, priceCart } from './engine.js';
export { promotionsHolder } from './privacy.js';
export { getPromotion, PromotionCache, quoteCart, toEngine } from './service.js';
export type { AppliedPromotion, CartLine, Channel, PricingContext, Promotion, Rule } from './types.js';
export { recordRedemptions } from './usage.js';
export { AppliedPromotion as AppliedPromotionSchema, LineAdjustment, promotionRoutes, VatBreakdown } from './routes.js';
