// Lints the OpenAPI document the server publishes with Redocly's recommended ruleset (redocly.yaml)
// and Spectral's `oas` ruleset (.spectral.yaml). The document is built in-process from the routes,
// as for the web client (no database or running server needed). Fails on any error or warning, so
// the document an integrator reads stays clean; .ci/run runs it before the test suites.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './generate-client.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
// No telemetry or update checks from the linters: CI runs offline too.
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_UPDATE_NOTIFIER: '1' };

interface Finding {
  tool: string;
  severity: string;
  rule: string;
  where: string;
  message: string;
}

function redocly(file: string): Finding[] {
  const r = spawnSync(bin('redocly'), ['lint', file, '--config', path.join(root, 'redocly.yaml'), '--format=json', '--max-problems=10000'], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  let report: { problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> };
  try {
    report = JSON.parse(json);
  } catch {
    throw new Error(`redocly did not answer with a report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return report.problems.map((p) => ({ tool: 'redocly', severity: p.severity, rule: p.ruleId, where: p.location?.[0]?.pointer ?? '', message: p.message }));
}

function spectral(file: string): Finding[] {
  const r = spawnSync(bin('spectral'), ['lint', file, '--ruleset', path.join(root, '.spectral.yaml'), '--format', 'json', '--quiet'], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let results: Array<{ code: string; severity: number; message: string; path: string[] }>;
  try {
    results = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')) || '[]');
  } catch {
    throw new Error(`spectral did not answer with a report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const severity = ['error', 'warn', 'info', 'hint'];
  return results.filter((x) => x.severity <= 1).map((x) => ({ tool: 'spectral', severity: severity[x.severity], rule: x.code, where: `#/${x.path.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`, message: x.message }));
}

/** Both linters' errors and warnings on the document as the server would publish it now. */
async function lintOpenApi(): Promise<Finding[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'winkel-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(await buildOpenApiDocument(), null, 2));
    return [...redocly(file), ...spectral(file)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const findings = await lintOpenApi();
for (const f of findings) process.stdout.write(`${f.tool} ${f.severity} ${f.rule} ${f.where}: ${f.message}\n`);
process.stdout.write(findings.length ? `\n${findings.length} problems in the OpenAPI document\n` : 'OpenAPI document: no errors or warnings from Redocly (recommended) and Spectral (oas)\n');
process.exitCode = findings.length ? 1 : 0;
