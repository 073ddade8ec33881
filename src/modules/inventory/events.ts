// The events of inventory and purchasing; see docs/inventory.md.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Cents, Id, Moment, Nullable, OneOf, Quantity } from '../../platform/events/payloads.js';

const Location = Type.Object({
  id: Id('loc_…'),
  code: Type.String(),
  name: Type.String(),
  type: OneOf(['warehouse', 'store', 'supplier']),
  address: Nullable(Type.Record(Type.String(), Type.String())),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  openingHours: Nullable(Type.Record(Type.String(), Type.Array(Type.Array(Type.String())), { description: 'e.g. { "mon": [["09:00","18:00"]] }, local time' })),
  timeZone: Type.String(),
  pickup: Type.Boolean(),
  shipFromStore: Type.Boolean(),
  dailyCapacity: Nullable(Type.Integer()),
  lowStockThreshold: Nullable(Type.Integer()),
  status: OneOf(['active', 'closed']),
  version: Type.Integer(),
});
const LocationPayload = Type.Object({ location: Location });

/** A stock level after the change. */
const Level = Type.Object({
  variantId: Id('var_…'),
  locationId: Id('loc_…'),
  onHand: Quantity(),
  reserved: Quantity(),
  safetyStock: Quantity(),
  availableToPromise: Quantity('On hand − reserved − safety stock, at least 0.'),
  lowStockThreshold: Type.Integer({ description: 'The low-stock threshold that applies to this level.' }),
});
/** The movement that changed a level (a reservation names only what it reserved). */
const Movement = Type.Object({
  type: OneOf(['receipt', 'sale', 'return', 'adjustment', 'transfer_out', 'transfer_in', 'count_correction', 'damage', 'reservation', 'release', 'settings'], 'The ledger movement, or `settings` when a safety stock change moved the level.'),
  onHandDelta: Type.Optional(Type.Integer()),
  reservedDelta: Type.Integer(),
  reason: Type.Optional(Nullable(Type.String())),
  reference: Nullable(Type.String({ description: 'What caused it: a reservation, order, transfer, purchase order, …' })),
});
const LevelChanged = Type.Object({ movement: Movement, level: Level });
const LevelSettings = Type.Object({ safetyStock: Quantity(), lowStockThreshold: Nullable(Type.Integer()), effectiveLowStockThreshold: Type.Integer() });

const Reservation = Type.Object({
  id: Id('rsv_…'),
  variantId: Id('var_…'),
  locationId: Id('loc_…'),
  quantity: Quantity(),
  reference: Nullable(Type.String({ description: 'What it is for, e.g. a cart or order id.' })),
});
const ReservationMade = Type.Object({ reservation: Type.Object({ ...Reservation.properties, expiresAt: Nullable(Moment) }) });
const ReservationEnded = Type.Object({ reservation: Reservation });

const Transfer = Type.Object({
  id: Id('trf_…'),
  fromLocationId: Id('loc_…'),
  toLocationId: Id('loc_…'),
  status: OneOf(['requested', 'shipped', 'received', 'cancelled']),
  note: Nullable(Type.String()),
  lines: Type.Array(
    Type.Object({
      variantId: Id('var_…'),
      quantity: Quantity(),
      shipped: Nullable(Quantity()),
      received: Nullable(Quantity()),
      difference: Nullable(Type.Integer({ description: 'Received − shipped.' })),
      differenceReason: Nullable(Type.String()),
    }),
  ),
  createdAt: Moment,
  shippedAt: Nullable(Moment),
  receivedAt: Nullable(Moment),
  version: Type.Integer(),
});
const TransferPayload = Type.Object({ transfer: Transfer });

const CountSheet = Type.Object({
  id: Id('cnt_…'),
  locationId: Id('loc_…'),
  zone: Nullable(Type.String()),
  status: OneOf(['open', 'submitted', 'approved', 'rejected']),
  lines: Type.Array(Type.Object({ variantId: Id('var_…'), expected: Type.Integer(), counted: Nullable(Type.Integer()), variance: Nullable(Type.Integer()) })),
  variance: Type.Object({ linesCounted: Type.Integer(), linesWithVariance: Type.Integer(), netUnits: Type.Integer(), absoluteUnits: Type.Integer() }),
  createdAt: Moment,
  submittedAt: Nullable(Moment),
  decidedAt: Nullable(Moment),
  decidedBy: Nullable(Type.String()),
  version: Type.Integer(),
});
const CountPayload = Type.Object({ countSheet: CountSheet });

const BackInStockRequest = Type.Object({ id: Id('bis_…'), variantId: Id('var_…'), locationId: Nullable(Id('The store asked about; null: online.')) });

const Supplier = Type.Object({
  id: Id('sup_…'),
  code: Type.String(),
  name: Type.String(),
  email: Nullable(Type.String()),
  leadTimeDays: Type.Integer(),
  createdAt: Moment,
  version: Type.Integer(),
});
/** An item as set (fields left out keep their defaults). */
const SupplierItem = Type.Object({
  variantId: Id('var_…'),
  supplierSku: Type.Optional(Nullable(Type.String())),
  leadTimeDays: Type.Optional(Nullable(Type.Integer())),
  packSize: Type.Optional(Type.Integer()),
  minimumOrder: Type.Optional(Type.Integer()),
  cost: Type.Optional(Nullable(Cents('Purchase cost per piece, excluding VAT.'))),
  preferred: Type.Optional(Type.Boolean()),
});

const PurchaseOrder = Type.Object({
  id: Id('po_…'),
  supplierId: Id('sup_…'),
  locationId: Id('loc_…'),
  status: OneOf(['draft', 'sent', 'partially_received', 'received', 'cancelled']),
  note: Nullable(Type.String()),
  expectedAt: Nullable(Moment),
  lines: Type.Array(Type.Object({ variantId: Id('var_…'), quantity: Quantity(), received: Quantity(), outstanding: Quantity(), cost: Nullable(Cents()) })),
  totalCost: Nullable(Cents('Null when a line has no cost.')),
  createdAt: Moment,
  sentAt: Nullable(Moment),
  closedAt: Nullable(Moment),
  version: Type.Integer(),
});
const PurchaseOrderPayload = Type.Object({ purchaseOrder: PurchaseOrder });

export const INVENTORY_EVENTS = {
  'location.created': defineEvent('a warehouse, store or supplier location was added', LocationPayload),
  'location.updated': defineEvent('a location was changed', LocationPayload),
  'stock.changed': defineEvent('a movement in the stock ledger changed a level (`data.movement`, `data.level`)', LevelChanged),
  'stock.low': defineEvent('a level’s available-to-promise fell to its low-stock threshold or below', LevelChanged),
  'stock.out': defineEvent('a level’s available-to-promise reached 0', LevelChanged),
  'stock.back_in_stock': defineEvent('a level’s available-to-promise rose above 0 again', LevelChanged),
  'stock.settings_changed': defineEvent('a level’s safety stock or low-stock threshold changed', Type.Object({ before: LevelSettings, after: LevelSettings, level: Level })),
  'reservation.created': defineEvent('stock was reserved for a cart or order', ReservationMade),
  'reservation.released': defineEvent('reserved stock was given back', ReservationEnded),
  'reservation.converted': defineEvent('reserved stock left as a sale', ReservationEnded),
  'reservation.expired': defineEvent('a reservation ran out of time and its stock came back', ReservationEnded),
  'transfer.requested': defineEvent('a transfer between locations was requested', TransferPayload),
  'transfer.shipped': defineEvent('a transfer left its origin', TransferPayload),
  'transfer.received': defineEvent('a transfer arrived at its destination', TransferPayload),
  'transfer.cancelled': defineEvent('a requested transfer was cancelled', TransferPayload),
  'count.created': defineEvent('a cycle count was started for a store zone', CountPayload),
  'count.submitted': defineEvent('every line of a count was counted and it awaits approval', CountPayload),
  'count.approved': defineEvent('a count was approved: its variances became count corrections', CountPayload),
  'count.rejected': defineEvent('a count was rejected: stock stays as it was', CountPayload),
  'back_in_stock.subscribed': defineEvent('a shopper asked for an e-mail when a product is back in stock (`customerId` set when known)', Type.Object({ subscription: BackInStockRequest })),
  'back_in_stock.notified': defineEvent('the back-in-stock e-mail was sent', Type.Object({ subscription: BackInStockRequest, level: Level })),
  'supplier.created': defineEvent('a supplier was added', Type.Object({ supplier: Supplier })),
  'supplier.items_changed': defineEvent('what a supplier delivers (lead time, pack size, minimum order, cost) changed', Type.Object({ supplierId: Id('sup_…'), items: Type.Array(SupplierItem) })),
  'purchase_order.created': defineEvent('a purchase order was drafted', PurchaseOrderPayload),
  'purchase_order.sent': defineEvent('a purchase order was sent; its quantities are incoming', PurchaseOrderPayload),
  'purchase_order.partially_received': defineEvent('part of a purchase order was received', PurchaseOrderPayload),
  'purchase_order.received': defineEvent('all of a purchase order was received', PurchaseOrderPayload),
  'purchase_order.cancelled': defineEvent('a purchase order was cancelled', PurchaseOrderPayload),
} as const satisfies EventCatalogue;
