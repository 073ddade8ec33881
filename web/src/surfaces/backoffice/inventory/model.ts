// Shared bits of the transfer and count screens.
import type { Schemas } from '../../../api/client';

export type Transfer = Schemas['Transfer'];
export type CountSheet = Schemas['CountSheet'];

export const TRANSFER_STATUSES = ['requested', 'shipped', 'received', 'cancelled'] as const;
export const TRANSFER_STATUS_COLORS: Record<string, string> = { requested: 'blue', shipped: 'yellow', received: 'teal', cancelled: 'red' };
export const COUNT_STATUSES = ['open', 'submitted', 'approved', 'rejected'] as const;
export const COUNT_STATUS_COLORS: Record<string, string> = { open: 'blue', submitted: 'yellow', approved: 'teal', rejected: 'red' };

/** SKUs typed one per line or separated by commas, each once, in the order given. */
export function parseSkus(text: string): string[] {
  return [...new Set(text.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean))];
}

export const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
