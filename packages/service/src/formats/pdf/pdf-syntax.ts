/** PDF source for the few kinds of value the writer emits. */

/** A number without exponent and without trailing zeros (PDF has no 1e-7). */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

export const ref = (n: number) => `${n} 0 R`;

/** The bytes of a text string: PDFDocEncoding-compatible ASCII as is, anything else UTF-16BE with a BOM. */
export function textBytes(text: string): Buffer {
  if (/^[\x20-\x7e]*$/.test(text)) return Buffer.from(text, 'latin1');
  const utf16 = Buffer.from(`\ufeff${text}`, 'utf16le');
  return utf16.swap16();
}

/** A string token: literal for plain ASCII, hex otherwise (and always for encrypted bytes). */
export function stringToken(bytes: Buffer, forceHex = false): string {
  const s = bytes.toString('latin1');
  if (!forceHex && /^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  return `<${bytes.toString('hex')}>`;
}

/** D:YYYYMMDDHHmmSSZ (UTC), the PDF date form. */
export function pdfDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}
