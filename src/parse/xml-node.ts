// Helpers over xml2js nodes as rss-parser hands them back: a node is a string,
// or an object with `_` (text) and `$` (attributes), or an array of those.
export type XmlNode = string | { _?: string; $?: Record<string, string>; [child: string]: unknown };

export function nodes(value: unknown): XmlNode[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

export function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === "string") return node;
  if (typeof node === "object" && typeof (node as { _?: unknown })._ === "string") return (node as { _: string })._;
  return undefined;
}

export function attr(node: unknown, name: string): string | undefined {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
  const attrs = (node as { $?: Record<string, unknown> }).$;
  const value = attrs?.[name];
  return typeof value === "string" ? value : undefined;
}

export function child(node: unknown, name: string): unknown {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
  return (node as Record<string, unknown>)[name];
}

export function numberAttr(node: unknown, name: string): number | undefined {
  const v = attr(node, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
