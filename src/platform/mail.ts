// E-mail: messages are queued in the business transaction (so none is lost or sent for a change
// that rolled back) and sent over SMTP by a worker loop with retries. Without SMTP_URL, Winkel runs
// a built-in SMTP mail catcher on 127.0.0.1 and keeps what it receives for the developer tools.
import { sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import type { Db, Executor } from './db.js';
import { newId } from './ids.js';
import { caughtEmails, outgoingEmails } from './schema.js';
import { WorkLoop } from './loop.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  purpose: string;
}

export async function queueMail(tx: Executor, msg: MailMessage): Promise<string> {
  const id = newId('outgoingEmail');
  await tx.insert(outgoingEmails).values({ id, ...msg });
  await tx.execute(sql`select pg_notify('winkel_mail', '')`);
  return id;
}

const MAX_CAUGHT_BYTES = 2 * 1024 * 1024;

/** The built-in SMTP server used when no SMTP_URL is configured. */
export class MailCatcher {
  private server: SMTPServer;
  port = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      size: MAX_CAUGHT_BYTES,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_CAUGHT_BYTES) chunks.push(c);
        });
        stream.on('end', async () => {
          try {
            const raw = Buffer.concat(chunks);
            const parsed = await simpleParser(raw);
            await this.db.insert(caughtEmails).values({
              id: newId('email'),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              text: parsed.text ?? null,
              html: typeof parsed.html === 'string' ? parsed.html : null,
              sizeBytes: size,
            });
            callback();
          } catch (err) {
            this.log.error({ err }, 'mail catcher could not store a message');
            callback(err as Error);
          }
        });
      },
    });
    this.server.on('error', (err) => this.log.error({ err }, 'mail catcher error'));
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = (this.server as unknown as { server: import('node:net').Server }).server.address() as import('node:net').AddressInfo;
    this.port = addr.port;
    return this.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends queued mail with exponential back-off; gives up after `maxAttempts`. */
export class MailSender {
  readonly loop: WorkLoop;
  private transport: Transporter;

  constructor(
    private readonly db: Db,
    smtpUrl: string,
    private readonly from: string,
    log: Logger,
    private readonly maxAttempts = 12,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
    this.loop = new WorkLoop('mail', () => this.sendDue(), 1000, log);
  }

  async sendDue(): Promise<number> {
    const due = await this.db.execute<{ id: string; to: string; subject: string; text: string; html: string | null; attempts: number }>(sql`
      update outgoing_emails set lease_until = now() + interval '2 minutes', attempts = attempts + 1
      where id in (select id from outgoing_emails
                   where status = 'pending' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
                   order by next_attempt_at limit 20 for update skip locked)
      returning id, "to", subject, text, html, attempts`);
    await Promise.all(
      due.rows.map(async (m) => {
        try {
          const info = await this.transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, html: m.html ?? undefined });
          await this.db.execute(sql`update outgoing_emails set status = 'sent', sent_at = now(), message_id = ${info.messageId ?? null}, lease_until = null, last_error = null where id = ${m.id}`);
        } catch (err) {
          const giveUp = m.attempts >= this.maxAttempts;
          await this.db.execute(sql`update outgoing_emails set status = ${giveUp ? 'failed' : 'pending'}, lease_until = null,
            last_error = ${String((err as Error).message).slice(0, 1000)},
            next_attempt_at = now() + interval '10 seconds' * power(2, ${m.attempts}) where id = ${m.id}`);
        }
      }),
    );
    return due.rows.length;
  }

  close() {
    this.transport.close();
  }
}
