// The payments module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { issueGiftCardInTx } from './gift-cards.js';
export { amountDue, captureForGoodsInTx, captureOrderPaymentsInTx, chargeOrderInTx, orderMoney, orderPayments, paymentSummary, planRefund, refundOrderPaymentsInTx, releaseOrRefundInTx, tenderPositions, withRenewedAuthorisations } from './ledger.js';
export type { PaymentOrders, PaymentProviders, PaymentRow, RefundPortion } from './ledger.js';
export { paymentsHolder } from './privacy.js';
export { paymentProviders, TEST_CARDS } from './providers.js';
export { planTenders, sourceOf } from './tenders.js';
export type { PlannedTender, Tender } from './tenders.js';
export { paymentRoutes, TenderSchema } from './routes.js';
