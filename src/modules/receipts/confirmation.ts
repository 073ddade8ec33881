// The order confirmation: the receipt, queued as an HTML + text e-mail in the transaction that
// creates the order (so it goes out exactly when the order exists).
import type { Executor } from '../../platform/db.js';
import { queueMail } from '../../platform/mail.js';
import { buildReceipt } from './model.js';
import { receiptEmail } from './email.js';
import { shopIdentity } from './settings.js';

export async function queueOrderConfirmation(tx: Executor, orderId: string, to: string): Promise<string> {
  const receipt = await buildReceipt(tx, orderId);
  const mail = receiptEmail(receipt, shopIdentity().publicUrl);
  return queueMail(tx, { to, purpose: 'order_confirmation', subject: mail.subject, text: mail.text, html: mail.html });
}
