// The commerce module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { normaliseAddress, ShippingAddress } from './address.js';
export type { ShippingAddressInput } from './address.js';
export { addExchangeLinesInTx, EXCHANGE_FULFILMENT, orderPromotions, priceKept } from './edits.js';
export type { OrderFulfilments, OrderView } from './edits.js';
export { normaliseCheckoutNote } from './notes.js';
export { currentOrderLines, handOverAtCounter, orderLineTotals, settleOrderLines } from './order-lines.js';
export { captureForGoodsInTx, captureOrderPaymentsInTx, chargeOrderInTx, paymentOrders, refundOrderPaymentsInTx, releaseOrRefundInTx, withRenewedAuthorisations } from './payments.js';
export { commerceHolder } from './privacy.js';
export { checkOrderScope, locationsOfOrder, orderInScope } from './scope.js';
export { getCartRow, getOrder, listOrders, orderForCart, pricedCart, publicOrder, shippingAddressesOf } from './service.js';
export { commerceRoutes } from './routes.js';
