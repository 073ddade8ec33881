export const PO_STATUSES = ['draft', 'sent', 'partially_received', 'received', 'cancelled'] as const;
export const PO_STATUS_COLORS: Record<string, string> = { draft: 'gray', sent: 'blue', partially_received: 'orange', received: 'teal', cancelled: 'red' };
