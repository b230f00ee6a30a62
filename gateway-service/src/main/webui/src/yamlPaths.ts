import { parseDocument, isNode } from "yaml";

/** "tasks[2].dependsOn[0]" → ["tasks", 2, "dependsOn", 0]; "$" → []. */
export function parsePath(path: string): (string | number)[] {
  if (!path || path === "$") return [];
  const out: (string | number)[] = [];
  for (const part of path.replace(/^\$\.?/, "").split(".")) {
    const m = part.match(/^([^[\]]*)((\[\d+\])*)$/);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * Where in the text a validation error's path points: the offsets of the deepest node of the path
 * that exists (a missing key is marked at its parent). The whole first line when nothing matches.
 */
export function rangeOf(text: string, path: string): { from: number; to: number } {
  const firstLine = { from: 0, to: Math.max(text.indexOf("\n"), 0) || text.length };
  let doc;
  try {
    doc = parseDocument(text);
  } catch {
    return firstLine;
  }
  const segs = parsePath(path);
  for (let n = segs.length; n > 0; n--) {
    const node = doc.getIn(segs.slice(0, n), true);
    if (isNode(node) && node.range) {
      return { from: node.range[0], to: Math.max(node.range[1], node.range[0] + 1) };
    }
  }
  return firstLine;
}

/** The line (1-based) of an offset. */
export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}
