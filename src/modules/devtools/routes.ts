// Developer tools: the e-mail Winkel sent, as caught by the built-in mail catcher (embedded mode).
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { IdParam, Page, PageQuery, ref, Timestamp } from '../../platform/http/schemas.js';
import { caughtEmails } from '../../platform/schema.js';

const CaughtEmail = Type.Object(
  {
    id: Type.String(),
    receivedAt: Timestamp,
    from: Type.String(),
    to: Type.Array(Type.String()),
    subject: Type.String(),
    text: Type.Union([Type.String(), Type.Null()]),
    html: Type.Union([Type.String(), Type.Null()]),
    sizeBytes: Type.Integer(),
  },
  { $id: 'CaughtEmail' },
);
const CaughtEmailPage = Page(ref(CaughtEmail), 'CaughtEmail');

const toApi = (r: typeof caughtEmails.$inferSelect) => ({ ...r, receivedAt: r.receivedAt.toISOString() });

export async function devtoolsRoutes(app: App, ctx: AppContext) {
  app.addSchema(CaughtEmail);
  app.addSchema(CaughtEmailPage);
  const tags = ['developer tools'];
  app.get(
    '/v1/devtools/emails',
    {
      config: { access: { permission: 'devtools:read' } },
      schema: {
        tags,
        summary: 'E-mail caught by the built-in mail catcher, newest first',
        description: 'Only filled when Winkel runs without SMTP_URL; with a real SMTP server mail leaves Winkel and is not kept here.',
        querystring: Type.Intersect([PageQuery, Type.Object({ to: Type.Optional(Type.String({ description: 'Recipient address' })) })]),
        response: { 200: ref(CaughtEmailPage) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const after = decodeCursor(req.query.cursor);
      const where: SQL[] = [];
      if (after) where.push(lt(caughtEmails.id, after));
      if (req.query.to) where.push(sql`${req.query.to.toLowerCase()} = any(${caughtEmails.to})`);
      const rows = await ctx.db.select().from(caughtEmails).where(where.length ? and(...where) : undefined).orderBy(desc(caughtEmails.id)).limit(limit + 1);
      const page = toPage(rows, limit, (r) => r.id);
      return { ...page, data: page.data.map(toApi) };
    },
  );
  app.get('/v1/devtools/emails/:id', { config: { access: { permission: 'devtools:read' } }, schema: { tags, summary: 'One caught e-mail', params: IdParam, response: { 200: ref(CaughtEmail) } } }, async (req) => {
    const [r] = await ctx.db.select().from(caughtEmails).where(eq(caughtEmails.id, req.params.id));
    if (!r) throw notFound('caught e-mail', req.params.id);
    return toApi(r);
  });
}
