/**
 * Text for XML 1.0 attributes and elements (ALTO, hOCR): the five special
 * characters as entities, tab and line breaks as character references so an
 * attribute keeps them, and characters XML 1.0 cannot carry at all (other C0
 * controls, lone surrogates, U+FFFE/U+FFFF) as U+FFFD, since an engine's
 * output is not to be trusted to be well-formed.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c]!);
}
