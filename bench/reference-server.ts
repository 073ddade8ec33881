// The references for HTTP figures, in their own Node process started through tsx like `winkel serve`,
// on the same machine and in the same run as what they are compared with:
// - GET /ping: a bare Fastify 5 route answering a small JSON object;
// - GET /db/api-keys?limit=N (only with DATABASE_URL, pointing at Winkel's database): the page of
//   API keys Winkel's list route answers, read with plain pg (a named statement, a pool as large as
//   Winkel's) and returned in the same JSON shape, with no authentication, hooks or schemas. It is
//   what one PostgreSQL round trip costs on this machine, so Winkel's own overhead can be told
//   apart from the database's. It follows the api_keys table; if that changes, update it here.
import Fastify from 'fastify';
import pg from 'pg';

const app = Fastify({ logger: false });
app.get('/ping', async () => ({ status: 'ok', time: Date.now() }));

if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 20) });
  app.addHook('onClose', () => pool.end());
  const text =
    'select id, kind, name, token_hint, scopes, store_ids, created_by, created_at, last_used_at, revoked_at, version ' +
    'from api_keys where revoked_at is null order by id desc limit $1';
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  app.get<{ Querystring: { limit?: string } }>('/db/api-keys', async (req) => {
    const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
    const { rows } = await pool.query({ name: 'reference_list_api_keys', text, values: [limit + 1] });
    const data = rows.slice(0, limit).map((k) => ({
      id: k.id,
      kind: k.kind,
      name: k.name,
      tokenHint: k.token_hint,
      scopes: k.scopes,
      storeIds: k.store_ids,
      createdBy: k.created_by,
      createdAt: iso(k.created_at),
      lastUsedAt: iso(k.last_used_at),
      revokedAt: iso(k.revoked_at),
      version: k.version,
    }));
    const hasMore = rows.length > limit;
    return { data, hasMore, nextCursor: hasMore ? Buffer.from(JSON.stringify({ k: data[data.length - 1].id })).toString('base64url') : null };
  });
}

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
