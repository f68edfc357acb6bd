/**
 * Reads XML from the network (a scanner's answers, an eSCL client's
 * ScanSettings) without trusting it: a document type declaration, and so any
 * entity of its own (XXE, billion laughs), is refused before parsing; the size
 * and the nesting depth are bounded; the well-formedness check comes before
 * the parse. Element names are resolved to their namespace URI, so a device
 * that writes `<ns2:ColorMode>` or a default namespace reads the same as one
 * that writes `<scan:ColorMode>`.
 *
 * fast-xml-parser is used with entity processing off (only the five
 * predefined entities and character references are decoded, here); it is
 * pure JavaScript and maintained, and its validator reports the line of a
 * malformed document.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const ESCL_NS = 'http://schemas.hp.com/imaging/escl/2011/05/03';
export const PWG_NS = 'http://www.pwg.org/schemas/2010/12/sm';

/** One element: its namespace URI ('' for none), local name, attributes by local name, children and text. */
export interface XmlElement {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  /** Largest document in bytes (default 256 KiB: a large MFP's capabilities are about 20 KiB). */
  maxBytes?: number;
  /** Deepest nesting of elements (default 32: eSCL documents nest 7 deep). */
  maxDepth?: number;
}

/** Why a document was refused; callers turn it into their own typed error. */
export class XmlRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRefused';
  }
}

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_MAX_DEPTH = 32;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else is refused (no DTD can define it). */
function decodeText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlRefused(`a bare "&" in text ("${whole}")`);
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlRefused(`the entity "&${ref};" is not one of XML's five predefined ones (documents with their own entities are refused)`);
    return value;
  });
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: DEFAULT_MAX_DEPTH + 1,
});

function split(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function build(node: OrderedNode, scope: Map<string, string>, depth: number, maxDepth: number): XmlElement | string | null {
  const key = Object.keys(node).find((k) => k !== ':@');
  if (key === undefined) return null;
  if (key === '#text') return decodeText(String(node[key]));
  if (key.startsWith('?') || key === '#comment') return null;
  if (depth > maxDepth) throw new XmlRefused(`elements nest deeper than ${maxDepth}`);
  const raw = node[':@'] ?? {};
  let inner = scope;
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(name === 'xmlns' ? '' : name.slice(6), decodeText(value));
    }
  }
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    attrs[split(name)[1]] = decodeText(value);
  }
  const [prefix, local] = split(key);
  const ns = inner.get(prefix);
  if (ns === undefined) throw new XmlRefused(`the prefix "${prefix}" of <${key}> is not declared`);
  const element: XmlElement = { ns, name: local, attrs, children: [], text: '' };
  const content = node[key];
  for (const child of Array.isArray(content) ? (content as OrderedNode[]) : []) {
    const built = build(child, inner, depth + 1, maxDepth);
    if (typeof built === 'string') element.text += built;
    else if (built) element.children.push(built);
  }
  return element;
}

/** The root element of `input`, or XmlRefused saying what is wrong. */
export function parseXml(input: string | Buffer, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes) throw new XmlRefused(`the document is ${size} bytes, more than the ${maxBytes} allowed`);
  const text = typeof input === 'string' ? input : input.toString('utf8');
  // Refused outright, before any parser sees it: no eSCL document has a DTD.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlRefused('the document has a document type declaration (DOCTYPE/ENTITY); eSCL documents have none, and entities from a DTD are never expanded');
  if (maxDepth < DEFAULT_MAX_DEPTH + 1 && depthOf(text) > maxDepth) throw new XmlRefused(`elements nest deeper than ${maxDepth}`);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new XmlRefused(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (err) {
    throw new XmlRefused(`malformed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scope = new Map<string, string>([['', ''], ['xml', 'http://www.w3.org/XML/1998/namespace']]);
  const roots = nodes.map((n) => build(n, scope, 1, maxDepth)).filter((n): n is XmlElement => typeof n === 'object' && n !== null);
  if (roots.length !== 1) throw new XmlRefused(roots.length === 0 ? 'the document has no element' : 'the document has more than one root element');
  return roots[0]!;
}

/** A cheap upper bound of the nesting, for limits below the parser's own. */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  for (const m of text.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else if (!m[2]) max = Math.max(max, ++depth);
  }
  return max;
}

/** Children of `el` named `name` in namespace `ns`. */
export function childrenOf(el: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name && c.ns === ns) : [];
}

export function childOf(el: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name && c.ns === ns);
}

/**
 * A child in either eSCL namespace: devices disagree about which of the two
 * some elements belong to (DocumentFormat, InputSource, Duplex...).
 */
export function eitherChild(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return childOf(el, ESCL_NS, name) ?? childOf(el, PWG_NS, name);
}

export function eitherChildren(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name && (c.ns === ESCL_NS || c.ns === PWG_NS)) : [];
}

export function textOf(el: XmlElement | undefined, name: string): string | undefined {
  return eitherChild(el, name)?.text;
}

/** An integer child, or undefined when missing or not a number. */
export function intOf(el: XmlElement | undefined, name: string): number | undefined {
  const text = textOf(el, name);
  if (text === undefined || !/^[+-]?\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
