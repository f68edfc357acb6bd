/**
 * File names of documents, from the text of the code that named them. A code
 * holds whatever its printer wanted, so the text is only ever a wish: path
 * separators, `..`, control and reserved characters become `_`, the name is
 * cut to MAX_NAME_CHARS, and names are made unique within one save (case
 * folded, since file systems often are). Documents without a code are
 * `<base>-<n>`, n counting documents from 1.
 */
import { safeBaseName } from '../formats/save-folder.js';

export const MAX_NAME_CHARS = 100;

/** The text of a code as a file base name, or undefined when nothing usable is left. */
export function codeFileName(text: string): string | undefined {
  const cleaned = [...text.normalize('NFC')]
    .slice(0, 4 * MAX_NAME_CHARS)
    .join('')
    .replace(/[\\/]/g, '_')
    .replace(/\.{2,}/g, '_')
    // Controls (C0, DEL, C1), and the bidirectional overrides that make a name read otherwise than it is.
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '_')
    .replace(/_{2,}/g, '_');
  const safe = safeBaseName([...cleaned].slice(0, MAX_NAME_CHARS).join(''), [], '');
  return safe === '' || /^_+$/.test(safe) ? undefined : safe;
}

/** One base name per document, in order: from its code's text, else `<base>-<n>`; all distinct. */
export function documentFileNames(docs: readonly { barcode: { text: string } | null }[], base: string): string[] {
  const taken = new Set<string>();
  return docs.map((doc, i) => {
    const wish = (doc.barcode && codeFileName(doc.barcode.text)) ?? `${base}-${i + 1}`;
    let name = wish;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${wish}-${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}
