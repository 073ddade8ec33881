// Payment providers behind one interface. The built-in test card gateway behaves like a card
// acquirer with documented test numbers (docs/commerce.md).
export interface AuthoriseRequest {
  amount: number;
  currency: string;
  source: { type: 'card'; number: string; expMonth?: number; expYear?: number };
}

export interface ProviderResult {
  status: 'succeeded' | 'failed' | 'pending';
  reference: string | null;
  failureCode?: 'card_declined' | 'insufficient_funds' | 'invalid_number' | 'expired_card';
  message?: string;
}

export interface PaymentProvider {
  name: string;
  authorise(req: AuthoriseRequest): Promise<ProviderResult>;
  capture(reference: string, amount: number): Promise<ProviderResult>;
  void(reference: string): Promise<ProviderResult>;
  refund(reference: string, amount: number): Promise<ProviderResult>;
}

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Test numbers: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds, 4000 0000 0000 0069 is expired. */
export class TestCardGateway implements PaymentProvider {
  name = 'test_card';
  private seq = 0;
  async authorise(req: AuthoriseRequest): Promise<ProviderResult> {
    const n = req.source.number.replace(/\s+/g, '');
    if (!luhnValid(n)) return { status: 'failed', reference: null, failureCode: 'invalid_number', message: 'The card number is not valid.' };
    if (n === '4000000000000002') return { status: 'failed', reference: null, failureCode: 'card_declined', message: 'The card was declined.' };
    if (n === '4000000000009995') return { status: 'failed', reference: null, failureCode: 'insufficient_funds', message: 'The card has insufficient funds.' };
    if (n === '4000000000000069') return { status: 'failed', reference: null, failureCode: 'expired_card', message: 'The card has expired.' };
    return { status: 'succeeded', reference: `tc_${Date.now().toString(36)}_${++this.seq}` };
  }
  async capture(reference: string) {
    return { status: 'succeeded' as const, reference };
  }
  async void(reference: string) {
    return { status: 'succeeded' as const, reference };
  }
  async refund(reference: string) {
    return { status: 'succeeded' as const, reference };
  }
}
