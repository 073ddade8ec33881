// The receipt of an order (GET /v1/orders/{id}/receipt), read with whichever credential the page
// has: the staff session in the back office, the customer's session on the shop's order page.
import { useQuery } from '@tanstack/react-query';
import { ApiProblem, type Schemas } from '../client';

export type Receipt = Schemas['Receipt'];

export const receiptKeys = {
  all: ['receipts'] as const,
  /** Per credential too: a receipt read as staff is not the customer's cached copy. */
  of: (orderId: string, locale: 'nl' | 'en', token: string | null) => [...receiptKeys.all, orderId, locale, token] as const,
};

/** A GET with an explicit bearer token (not the staff client's), answering problems as ApiProblem. */
export async function callWithToken(url: string, token: string | null): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiProblem({ status: 0, code: 'network', title: 'Network error' });
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    throw new ApiProblem({ status: response.status, code: typeof body.code === 'string' ? body.code : `http_${response.status}`, title: typeof body.title === 'string' ? body.title : response.statusText, detail: typeof body.detail === 'string' ? body.detail : undefined });
  }
  return response;
}


export function useReceipt(orderId: string, locale: 'nl' | 'en', token: string | null) {
  return useQuery({
    queryKey: receiptKeys.of(orderId, locale, token),
    queryFn: async () => (await (await callWithToken(`/v1/orders/${encodeURIComponent(orderId)}/receipt?locale=${locale}`, token)).json()) as Receipt,
  });
}
