// Every table of every module, for drizzle-kit (migrations) and the typed query builder.
export * from '../platform/schema.js';
export * from '../modules/access/schema.js';
export * from '../modules/accounts/schema.js';
export * from '../modules/webhooks/schema.js';
export * from '../modules/catalog/schema.js';
export * from '../modules/pricing/schema.js';
export * from '../modules/imports/schema.js';
export * from '../modules/inventory/schema.js';
export * from '../modules/promotions/schema.js';
export * from '../modules/commerce/schema.js';
export * from '../modules/payments/schema.js';
export * from '../modules/returns/schema.js';
export * from '../modules/customers/schema.js';
export * from '../modules/consent/schema.js';
export * from '../modules/privacy/schema.js';
export * from '../modules/storefront/schema.js';
export * from '../modules/fulfilment/schema.js';
