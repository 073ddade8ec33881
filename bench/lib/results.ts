// What a benchmark hands back (a Section of Figures), and where it goes: a table on stdout,
// bench/results.json (merged: one entry per figure, other benchmarks' entries kept), and
// docs/BENCHMARKS.md, regenerated from bench/sections.json so every benchmark keeps its section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './process.js';

/** One figure; the first eight fields are exactly what bench/results.json holds. */
export interface Figure {
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
  goal: string;
  met: boolean;
  command: string;
  date: string;
  /** Shown in the docs table only. */
  referenceLabel?: string;
  p50Ms?: number;
  p99Ms?: number;
  detail?: string;
}

/** A measurement shown for context (e.g. the reference before and after), not a figure with a goal. */
export interface Observation {
  label: string;
  value: number;
  unit: string;
  p50Ms?: number;
  p99Ms?: number;
  detail?: string;
}

export interface Section {
  title: string;
  intro: string;
  figures: Record<string, Figure>;
  observations?: Observation[];
  notes?: string[];
  /** Set by the runner: the machine and the database the section ran on. */
  machine?: string;
  /** The database, when the benchmark started its own (e.g. winkel serve's embedded PostgreSQL). */
  database?: string;
  /** Peak RSS of the winkel serve process, in MB (goal: under 300 MB). */
  peakRssMb?: number;
}

export const RSS_GOAL_MB = 300;

const RESULTS = path.join(ROOT, 'bench/results.json');
const SECTIONS = path.join(ROOT, 'bench/sections.json');
const DOC = path.join(ROOT, 'docs/BENCHMARKS.md');

/** Rounds to `digits` significant decimals for ratios (0.1234 → 0.123). */
export const ratio = (value: number, reference: number, digits = 3) => (reference ? Math.round((value / reference) * 10 ** digits) / 10 ** digits : null);

export function machineLabel(database: string) {
  let cpu = '';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
  } catch {}
  cpu ||= os.cpus()[0]?.model?.trim() || 'unknown CPU';
  const ram = Math.round(os.totalmem() / 2 ** 30);
  return `${cpu}, ${os.availableParallelism()} cores, ${ram} GiB RAM, Linux ${os.release()}, Node ${process.version}${database ? `, ${database}` : ''}`;
}

function readJson<T>(file: string, fallback: T): T {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback;
}

/** Records a section; `order` (the registered benchmarks) sets the order of the sections on the page. */
export function save(name: string, section: Section, order: string[] = []) {
  const results = readJson<Record<string, Figure>>(RESULTS, {});
  for (const [k, f] of Object.entries(section.figures)) {
    results[k] = { value: f.value, unit: f.unit, reference: f.reference, ratio: f.ratio, goal: f.goal, met: f.met, command: f.command, date: f.date };
  }
  const sorted = Object.fromEntries(Object.entries(results).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(RESULTS, `${JSON.stringify(sorted, null, 2)}\n`);
  const sections = readJson<Record<string, Section>>(SECTIONS, {});
  sections[name] = section;
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const ordered = Object.fromEntries(Object.entries(sections).sort(([a], [b]) => rank(a) - rank(b)));
  writeFileSync(SECTIONS, `${JSON.stringify(ordered, null, 2)}\n`);
  writeFileSync(DOC, render(ordered));
}

const fmt = (n: number | null | undefined) =>
  n === null || n === undefined ? '–' : Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
const ms = (n: number | undefined) => (n === undefined ? '–' : `${fmt(n)} ms`);
const hasRssFigure = (s: Section) => Object.keys(s.figures).some((k) => k.endsWith('.server_peak_rss'));

export function render(sections: Record<string, Section>) {
  const out = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` from bench/sections.json; edit the benchmarks, not this page. -->',
    '',
    'Every figure here is printed by `npm run bench` (or `npm run bench -- NAME` for one section) and',
    'written to this page and to `bench/results.json`. The machine is shared with other work and',
    'noisy, so absolute numbers move from run to run: each figure stands next to a reference measured',
    'in the same run (a bare Fastify route, a plain SQL update, a parse of the same file, a naive',
    'forecast), and the ratio between them is what to compare across runs. Loads go to 127.0.0.1 only',
    'and are bounded in time; the load generator shares the machine with the server and PostgreSQL.',
    'Timed assertions are not in the tests; they are here.',
    '',
  ];
  for (const [name, s] of Object.entries(sections)) {
    const figures = Object.entries(s.figures);
    const latencies = figures.some(([, f]) => f.p50Ms !== undefined || f.p99Ms !== undefined);
    out.push(`## ${s.title}`, '', s.intro, '', `Machine: ${s.machine ?? 'not recorded'}.`, '', `Command: \`npm run bench -- ${name}\`.`, '');
    out.push(
      `| figure | value | reference | ratio | goal | met |${latencies ? ' p50 | p99 |' : ''} detail |`,
      `| --- | --- | --- | --- | --- | --- |${latencies ? ' --- | --- |' : ''} --- |`,
    );
    for (const [k, f] of figures) {
      const ref = f.reference === null ? '–' : `${fmt(f.reference)} ${f.referenceLabel ?? f.unit}`;
      out.push(`| ${k} | ${fmt(f.value)} ${f.unit} | ${ref} | ${fmt(f.ratio)} | ${f.goal} | ${f.met ? 'yes' : '**no**'} |${latencies ? ` ${ms(f.p50Ms)} | ${ms(f.p99Ms)} |` : ''} ${f.detail ?? ''} |`);
    }
    if (s.observations?.length) {
      const lat = s.observations.some((o) => o.p50Ms !== undefined);
      out.push('', `| measured for context | value |${lat ? ' p50 | p99 |' : ''} detail |`, `| --- | --- |${lat ? ' --- | --- |' : ''} --- |`);
      for (const o of s.observations) out.push(`| ${o.label} | ${fmt(o.value)} ${o.unit} |${lat ? ` ${ms(o.p50Ms)} | ${ms(o.p99Ms)} |` : ''} ${o.detail ?? ''} |`);
    }
    if (s.peakRssMb !== undefined && !hasRssFigure(s)) {
      out.push('', `Peak RSS of the \`winkel serve\` process during this section: ${s.peakRssMb} MB (goal: under ${RSS_GOAL_MB} MB: ${s.peakRssMb < RSS_GOAL_MB ? 'met' : '**not met**'}).`);
    }
    if (s.notes?.length) out.push('', ...s.notes.map((n) => `- ${n}`));
    out.push('', `Measured ${Object.values(s.figures)[0]?.date ?? ''}.`, '');
  }
  return `${out.join('\n')}`;
}

/** A plain-text table for the terminal. */
export function printSection(name: string, s: Section, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {
  const latencies = [...Object.values(s.figures), ...(s.observations ?? [])].some((f) => f.p50Ms !== undefined || f.p99Ms !== undefined);
  const lat = (f: { p50Ms?: number; p99Ms?: number }) => (latencies ? [ms(f.p50Ms), ms(f.p99Ms)] : []);
  const rows: string[][] = [['figure', 'value', 'reference', 'ratio', 'goal', 'met', ...(latencies ? ['p50', 'p99'] : []), 'detail']];
  for (const [k, f] of Object.entries(s.figures)) {
    rows.push([k, `${fmt(f.value)} ${f.unit}`, f.reference === null ? '–' : `${fmt(f.reference)} ${f.referenceLabel ?? f.unit}`, fmt(f.ratio), f.goal, f.met ? 'yes' : 'NO', ...lat(f), f.detail ?? '']);
  }
  for (const o of s.observations ?? []) rows.push([`(${o.label})`, `${fmt(o.value)} ${o.unit}`, '', '', '', '', ...lat(o), o.detail ?? '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  write(`${s.title} (npm run bench -- ${name}); ${s.machine ?? ''}`);
  write(line(rows[0]));
  write(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) write(line(r));
  if (s.peakRssMb !== undefined && !hasRssFigure(s)) write(`peak RSS of winkel serve: ${s.peakRssMb} MB (goal < ${RSS_GOAL_MB} MB: ${s.peakRssMb < RSS_GOAL_MB ? 'met' : 'NOT met'})`);
}
