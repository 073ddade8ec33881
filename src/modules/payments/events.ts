// The events of gift cards; see docs/commerce.md, Gift cards.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const PAYMENT_EVENTS = {
  'gift_card.issued': 'a gift card was issued (never its code)',
  'gift_card.balance_changed': 'money was added to or taken off a gift card',
  'gift_card.status_changed': 'a gift card was disabled or enabled',
} as const satisfies EventCatalogue;
