// bench/results.json (every figure with its reference and ratio) and docs/BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './env.js';

export interface Figure {
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
  goal: string;
  met: boolean;
  command: string;
  date: string;
  /** Free-form details shown in the docs table (latencies, counts). */
  detail?: string;
  referenceLabel?: string;
}

export interface Section {
  title: string;
  intro: string;
  figures: Record<string, Figure>;
  notes?: string[];
  machine: string;
  peakRssMb?: number;
}

const RESULTS = path.join(ROOT, 'bench/results.json');
const SECTIONS = path.join(ROOT, 'bench/sections.json');
const DOC = path.join(ROOT, 'docs/BENCHMARKS.md');

export function machine(db: string) {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${db}`;
}

export function save(name: string, section: Section) {
  const results = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, Figure>) : {};
  for (const [k, f] of Object.entries(section.figures)) {
    const { detail: _d, referenceLabel: _r, ...plain } = f;
    results[k] = plain;
  }
  writeFileSync(RESULTS, `${JSON.stringify(Object.fromEntries(Object.entries(results).sort(([a], [b]) => (a < b ? -1 : 1))), null, 2)}\n`);
  const sections = existsSync(SECTIONS) ? (JSON.parse(readFileSync(SECTIONS, 'utf8')) as Record<string, Section>) : {};
  sections[name] = section;
  writeFileSync(SECTIONS, `${JSON.stringify(sections, null, 2)}\n`);
  writeFileSync(DOC, render(sections));
}

const fmt = (n: number | null) => (n === null ? '–' : Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 }));

function render(sections: Record<string, Section>) {
  const out = [
    '# Benchmarks',
    '',
    'Every figure here is printed by `npm run bench` (or `npm run bench -- NAME` for one section) and',
    'written to this page and to `bench/results.json`. The machine is shared and noisy, so each figure',
    'stands next to a reference measured in the same run (a bare Fastify route, a plain SQL update, a',
    'parse of the same file, a naive forecast) and the ratio between them is what to compare across',
    'runs. Loads go to 127.0.0.1 only and are bounded in time. Timed assertions are not in the tests;',
    'they are here.',
    '',
  ];
  for (const [name, s] of Object.entries(sections)) {
    out.push(`## ${s.title}`, '', s.intro, '', `Machine: ${s.machine}. Command: \`npm run bench -- ${name}\`.`, '');
    out.push('| figure | value | reference | ratio | goal | met | detail |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const [k, f] of Object.entries(s.figures)) {
      out.push(`| ${k} | ${fmt(f.value)} ${f.unit} | ${f.reference === null ? '–' : `${fmt(f.reference)} ${f.referenceLabel ?? ''}`.trim()} | ${fmt(f.ratio)} | ${f.goal} | ${f.met ? 'yes' : '**no**'} | ${f.detail ?? ''} |`);
    }
    if (s.peakRssMb !== undefined) out.push('', `Peak RSS of the \`winkel serve\` process during this section: ${s.peakRssMb} MB (goal: under 300 MB).`);
    if (s.notes?.length) out.push('', ...s.notes.map((n) => `- ${n}`));
    out.push(`\nMeasured ${Object.values(s.figures)[0]?.date ?? ''}.`, '');
  }
  return `${out.join('\n')}\n`;
}
