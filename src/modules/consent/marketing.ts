// The one way to queue a marketing e-mail: it asks for the `email` consent first and adds a signed
// unsubscribe link (footer text and HTML). Campaigns, newsletters, repurchase reminders and other
// promotional mail go through here; service mail (receipts, password resets, pickup notices) does not.
import type { Executor } from '../../platform/db.js';
import { queueMail } from '../../platform/mail.js';
import { createUnsubscribeToken, unsubscribeUrl } from './links.js';
import { hasConsent, normaliseEmail } from './service.js';

export interface MarketingMail {
  to: string;
  customerId?: string;
  subject: string;
  text: string;
  html?: string;
  /** What kind of marketing, for reports (stored as the mail's purpose `marketing:<kind>`). */
  kind: string;
}

/** Queues the mail when the person granted `email`; answers the mail id, or null when not allowed. */
export async function queueMarketingMail(tx: Executor, publicUrl: string, mail: MarketingMail): Promise<string | null> {
  const to = normaliseEmail(mail.to);
  if (!(await hasConsent(tx, { email: to, customerId: mail.customerId }, 'email'))) return null;
  const url = unsubscribeUrl(publicUrl, await createUnsubscribeToken(tx, to, ['email']));
  const escaped = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return queueMail(tx, {
    to,
    subject: mail.subject,
    text: `${mail.text}\n\n--\nNo more of these e-mails? Unsubscribe: ${url}`,
    html: mail.html ? `${mail.html}<p style="font-size:12px;color:#666">No more of these e-mails? <a href="${escaped}">Unsubscribe</a></p>` : undefined,
    purpose: `marketing:${mail.kind}`,
  });
}
