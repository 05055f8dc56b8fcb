import { readFileSync } from 'node:fs';

const sources = new Map<string, string[] | null>();

function templateLines(template: string): string[] | null {
  if (!sources.has(template)) {
    try {
      sources.set(template, readFileSync(template, 'utf8').split('\n'));
    } catch {
      sources.set(template, null);
    }
  }
  return sources.get(template)!;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A template line as a pattern of the lines it can render to: `{{ ... }}` parts match anything. */
function linePattern(line: string): RegExp | null {
  const trimmed = line.trim();
  if (trimmed === '' || /^\{%.*%\}$/.test(trimmed) || /^\{#.*#\}$/.test(trimmed)) return null;
  const parts = trimmed.split(/(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})/);
  const source = parts.map((part) => (part.startsWith('{{') ? '.*?' : part.startsWith('{%') ? '' : escapeRegExp(part))).join('');
  return new RegExp(`^${source}$`);
}

/**
 * The template line a rendered line most likely came from, so a checker's finding can point at what the
 * user edits. A rendered line that matches exactly one template line maps to it; among several, the one
 * nearest in order; none (a line wholly made by an expression) gives undefined.
 */
export function templateLineFor(template: string, rendered: string, renderedLine: number): number | undefined {
  const lines = templateLines(template);
  const target = rendered.split('\n')[renderedLine - 1]?.trim();
  if (!lines || target === undefined || target === '') return undefined;
  const candidates: number[] = [];
  lines.forEach((line, index) => {
    if (linePattern(line)?.test(target)) candidates.push(index + 1);
  });
  if (candidates.length === 0) return undefined;
  return candidates.reduce((best, c) => (Math.abs(c - renderedLine) < Math.abs(best - renderedLine) ? c : best));
}
