// Module boundaries, read from the real source under src/ (docs/ARCHITECTURE.md, "Rules of the
// house"): another module is used only through its index.ts; the platform uses no module; a
// module's SQL names only its own tables (and the platform's). ESLint's no-restricted-imports
// says the first rule while code is written; this test holds all three.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/**
 * Imports of a module's own files from outside it that are allowed, each with its reason. Keep
 * this list short: every entry is a place where the rule does not hold yet.
 */
const EXEMPT: Array<{ from: RegExp; to: RegExp; why: string }> = [
  { from: /^src\/db\/schema\.ts$/, to: /^src\/modules\/[^/]+\/schema\.ts$/, why: 'drizzle-kit and the typed query builder read every table; an index exports no tables' },
  { from: /^src\/events\.ts$/, to: /^src\/modules\/[^/]+\/events\.ts$/, why: 'the registry of every event type joins the modules’ catalogues (being reworked into typed payloads)' },
  {
    from: /^src\/flows\/checkout\.ts$/,
    to: /^src\/modules\/(commerce|payments)\/schema\.ts$/,
    why: 'the checkout writes the cart, the order and its payment rows in its own transaction; goes when it moves onto the flow runner',
  },
];
/** The platform imports nothing outside it but this: its typed query builder is given every table. */
const PLATFORM_EXEMPT: Array<{ from: string; to: string }> = [{ from: 'src/platform/db.ts', to: 'src/db/schema.ts' }];

interface SourceFile {
  path: string; // relative to the repository, with /
  ast: ts.SourceFile;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const rel = (abs: string) => relative(ROOT, abs).split('\\').join('/');
const files: SourceFile[] = walk(SRC).map((abs) => ({ path: rel(abs), ast: ts.createSourceFile(abs, readFileSync(abs, 'utf8'), ts.ScriptTarget.ES2022, true) }));

/** The module a file belongs to (src/modules/<m>/…), or null. */
const moduleOf = (path: string) => /^src\/modules\/([^/]+)\//.exec(path)?.[1] ?? null;
const MODULES = readdirSync(join(SRC, 'modules'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

interface Import {
  from: string;
  to: string;
  names: string[];
  line: number;
}

/** Every relative import of a file (static, re-exports and dynamic), resolved to a .ts path. */
function importsOf(f: SourceFile): Import[] {
  const out: Import[] = [];
  const add = (spec: string, node: ts.Node, names: string[]) => {
    if (!spec.startsWith('.')) return;
    const target = rel(resolve(ROOT, dirname(f.path), spec)).replace(/\.js$/, '.ts');
    out.push({ from: f.path, to: target, names, line: f.ast.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const names: string[] = [];
      if (ts.isImportDeclaration(node)) {
        const b = node.importClause?.namedBindings;
        if (b && ts.isNamedImports(b)) for (const e of b.elements) names.push((e.propertyName ?? e.name).text);
      } else if (node.exportClause && ts.isNamedExports(node.exportClause)) {
        for (const e of node.exportClause.elements) names.push((e.propertyName ?? e.name).text);
      }
      add(node.moduleSpecifier.text, node, names);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, node, []);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, node, []);
    }
    ts.forEachChild(node, visit);
  };
  visit(f.ast);
  return out;
}

const allImports = files.flatMap(importsOf);
const show = (i: Import) => `${i.from}:${i.line} imports ${i.to}`;

/** The tables each module's schema.ts defines: SQL name → module, and the drizzle object's name → module. */
function tableOwners() {
  const bySqlName = new Map<string, string>();
  const byObject = new Map<string, string>();
  for (const m of MODULES) {
    const file = files.find((f) => f.path === `src/modules/${m}/schema.ts`);
    if (!file) continue;
    const visit = (node: ts.Node) => {
      if (ts.isVariableDeclaration(node) && node.initializer && ts.isCallExpression(node.initializer) && ts.isIdentifier(node.initializer.expression) && node.initializer.expression.text === 'pgTable') {
        const name = node.initializer.arguments[0];
        if (name && ts.isStringLiteral(name) && ts.isIdentifier(node.name)) {
          bySqlName.set(name.text, m);
          byObject.set(node.name.text, m);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file.ast);
  }
  return { bySqlName, byObject };
}

/** The literal SQL text of every sql`…` template (and sql.raw('…')) in a file, with its line. */
function sqlTextsOf(f: SourceFile): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const line = (n: ts.Node) => f.ast.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const isSqlTag = (e: ts.Expression) => (ts.isIdentifier(e) && e.text === 'sql') || (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'sql');
  const visit = (node: ts.Node) => {
    if (ts.isTaggedTemplateExpression(node) && isSqlTag(node.tag)) {
      const t = node.template;
      const text = ts.isNoSubstitutionTemplateLiteral(t) ? t.text : [t.head.text, ...t.templateSpans.map((s) => ` \${…} ${s.literal.text}`)].join('');
      out.push({ text, line: line(node) });
    } else if (ts.isCallExpression(node) && isSqlTag(node.expression) && node.arguments[0] && (ts.isStringLiteral(node.arguments[0]) || ts.isNoSubstitutionTemplateLiteral(node.arguments[0]))) {
      out.push({ text: node.arguments[0].text, line: line(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(f.ast);
  return out;
}

/** Table names an SQL text reads or writes: after from, join, into, update, table (and "delete from"). */
function tablesNamedIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\b(?:from|join|into|update|table)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi)) names.push(m[1].toLowerCase());
  return names;
}

describe('module boundaries (the real source under src/)', () => {
  it('reads the modules and their schemas', () => {
    expect(MODULES.length).toBeGreaterThan(10);
    expect(tableOwners().bySqlName.get('orders')).toBe('commerce');
    expect(tableOwners().bySqlName.get('payments')).toBe('payments');
  });

  it('finds the tables an SQL text names', () => {
    expect(tablesNamedIn('select o.id from orders o join order_lines l on l.order_id = o.id where exists (select 1 from "payments")')).toEqual(['orders', 'order_lines', 'payments']);
    expect(tablesNamedIn('insert into stock_movements (id) values (1); update profiles set x = 1; delete from carts')).toEqual(['stock_movements', 'profiles', 'carts']);
    expect(tablesNamedIn('select count(*)::int as orders, sum(net) as revenue')).toEqual([]);
  });

  it('every module has an index.ts, its public surface', () => {
    expect(MODULES.filter((m) => !existsSync(join(SRC, 'modules', m, 'index.ts')))).toEqual([]);
  });

  it('another module is imported only through its index.ts', () => {
    const wrong = allImports.filter((i) => {
      const target = moduleOf(i.to);
      if (!target || target === moduleOf(i.from)) return false;
      if (i.to === `src/modules/${target}/index.ts`) return false;
      return !EXEMPT.some((e) => e.from.test(i.from) && e.to.test(i.to));
    });
    expect(wrong.map(show)).toEqual([]);
  });

  it('the platform imports no module (nor anything else outside src/platform)', () => {
    const wrong = allImports.filter((i) => i.from.startsWith('src/platform/') && !i.to.startsWith('src/platform/') && !PLATFORM_EXEMPT.some((e) => e.from === i.from && e.to === i.to));
    expect(wrong.map(show)).toEqual([]);
  });

  it('a module’s SQL names only its own tables and the platform’s', () => {
    const { bySqlName } = tableOwners();
    const wrong: string[] = [];
    for (const f of files) {
      const m = moduleOf(f.path);
      if (!m) continue;
      for (const { text, line } of sqlTextsOf(f)) {
        for (const table of tablesNamedIn(text)) {
          const owner = bySqlName.get(table);
          if (owner && owner !== m && !wrong.includes(`${f.path}:${line} names ${table} (${owner}'s table) in SQL`)) wrong.push(`${f.path}:${line} names ${table} (${owner}'s table) in SQL`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a module uses no drizzle table object of another module', () => {
    const { byObject } = tableOwners();
    const wrong = allImports.filter((i) => {
      const m = moduleOf(i.from);
      const target = moduleOf(i.to);
      if (!m || !target || target === m) return false;
      return i.to.endsWith('/schema.ts') || i.names.some((n) => byObject.get(n) === target);
    });
    expect(wrong.map((i) => `${show(i)} (${i.names.filter((n) => byObject.has(n)).join(', ') || 'its schema'})`)).toEqual([]);
  });
});
