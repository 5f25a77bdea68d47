/**
 * HTML built from template literals, escaped by default. Own code rather than a template engine:
 * the console is a handful of server-rendered sections, and one escaping rule in one place is
 * easier to review than an engine's configuration.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

type Interpolated = Html | string | number | null | undefined | false | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${text}</td>\``: every interpolated value is escaped unless it is already Html. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  return new Html(
    strings.reduce(
      (out, part, index) => out + part + (index < values.length ? render(values[index] as Interpolated) : ''),
      '',
    ),
  );
}
