/**
 * Writes eSCL documents from a tree of nodes (never by gluing strings in
 * handlers): text is escaped in one place, and the root declares the two
 * namespaces under the prefixes every eSCL client knows (scan:, pwg:).
 */
import { ESCL_NS, PWG_NS } from './xml-parse.js';

/** `scan:Name` or `pwg:Name`, with text or children; undefined children are left out. */
export interface XmlNode {
  name: `scan:${string}` | `pwg:${string}`;
  content: string | readonly (XmlNode | undefined | null | false)[];
}

export const el = (name: XmlNode['name'], content: XmlNode['content'] = []): XmlNode => ({ name, content });

/** Leaves out a node whose value is unknown. */
export const opt = (name: XmlNode['name'], value: string | number | boolean | undefined): XmlNode | undefined =>
  value === undefined ? undefined : el(name, String(value));

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function write(node: XmlNode, out: string[]): void {
  if (typeof node.content === 'string') {
    out.push(`<${node.name}>${escape(node.content)}</${node.name}>`);
    return;
  }
  out.push(`<${node.name}>`);
  for (const child of node.content) if (child) write(child, out);
  out.push(`</${node.name}>`);
}

export function xmlDocument(root: XmlNode): string {
  const out: string[] = [];
  write(root, out);
  // The namespaces go on the root's start tag.
  out[0] = out[0]!.replace(/>$/, ` xmlns:scan="${ESCL_NS}" xmlns:pwg="${PWG_NS}">`);
  if (typeof root.content === 'string') throw new Error('an eSCL document root has children');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('')}\n`;
}
