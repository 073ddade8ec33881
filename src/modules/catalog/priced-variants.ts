// The catalog's answer to pricing's PricedVariants port: pricing keeps prices per variant and asks
// the catalog which variant a SKU names.
import type { PricedVariants } from '../pricing/index.js';
import { findVariant, variantIdsBySku } from './service.js';

export const pricedVariants: PricedVariants = { variantIdsBySku, findVariant };
