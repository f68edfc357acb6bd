/**
 * The font of the searchable-PDF text layer: a TrueType font, built here, whose
 * one glyph is empty and half an em wide. The text layer is never painted
 * (render mode 3), so a font only has to give each character a width and its
 * Unicode (the ToUnicode map does that): a glyphless font is ~0.5 KB once per
 * document whatever the language, where a real font (DejaVu subset through
 * fontkit) costs 10-30 KB, needs a font package on every platform, and misses
 * any script it lacks. Every character maps to glyph 1 (CIDToGIDMap), so no
 * text ever shows .notdef (PDF/A-2 6.2.11.8), and the widths in the PDF (DW 500)
 * equal the font's own advance (6.2.11.5). The same design as Tesseract's and
 * OCRmyPDF's text layers, written afresh.
 */

export const UNITS_PER_EM = 1000;
/** Advance of every glyph, in font units (half an em). */
export const ADVANCE = 500;
export const ASCENT = 800;
export const DESCENT = -200;
export const FONT_NAME = 'ScanbridgeGlyphless';

/** 2026-01-01 in the TrueType epoch (1904-01-01). */
const FONT_DATE = Date.UTC(2026, 0, 1) / 1000 + 2082844800;

function be(size: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  write(b);
  return b;
}

function head(): Buffer {
  return be(54, (b) => {
    b.writeUInt32BE(0x00010000, 0); // version
    b.writeUInt32BE(0x00010000, 4); // fontRevision
    // checkSumAdjustment (8) is set once the whole font is assembled.
    b.writeUInt32BE(0x5f0f3cf5, 12); // magicNumber
    b.writeUInt16BE(0x000b, 16); // flags: baseline at y=0, lsb at x=0, integer scaling
    b.writeUInt16BE(UNITS_PER_EM, 18);
    // created (20) and modified (28): a fixed date (seconds since 1904) keeps the bytes the same.
    b.writeUInt32BE(FONT_DATE, 24);
    b.writeUInt32BE(FONT_DATE, 32);
    b.writeInt16BE(0, 36); // xMin
    b.writeInt16BE(DESCENT, 38); // yMin
    b.writeInt16BE(ADVANCE, 40); // xMax
    b.writeInt16BE(ASCENT, 42); // yMax
    b.writeUInt16BE(0, 44); // macStyle
    b.writeUInt16BE(8, 46); // lowestRecPPEM
    b.writeInt16BE(2, 48); // fontDirectionHint
    b.writeInt16BE(0, 50); // indexToLocFormat: short
    b.writeInt16BE(0, 52); // glyphDataFormat
  });
}

function hhea(): Buffer {
  return be(36, (b) => {
    b.writeUInt32BE(0x00010000, 0);
    b.writeInt16BE(ASCENT, 4);
    b.writeInt16BE(DESCENT, 6);
    b.writeInt16BE(0, 8); // lineGap
    b.writeUInt16BE(ADVANCE, 10); // advanceWidthMax
    b.writeInt16BE(1, 18); // caretSlopeRise (vertical caret)
    b.writeUInt16BE(2, 34); // numberOfHMetrics
  });
}

function maxp(): Buffer {
  return be(32, (b) => {
    b.writeUInt32BE(0x00010000, 0);
    b.writeUInt16BE(2, 4); // numGlyphs
    b.writeUInt16BE(2, 14); // maxZones
  });
}

function os2(): Buffer {
  return be(96, (b) => {
    b.writeUInt16BE(3, 0); // version
    b.writeInt16BE(ADVANCE, 2); // xAvgCharWidth
    b.writeUInt16BE(400, 4); // usWeightClass
    b.writeUInt16BE(5, 6); // usWidthClass
    b.writeUInt16BE(0, 8); // fsType 0: installable embedding, what PDF/A needs (6.2.11.4.1)
    b.write('SCBR', 58, 'latin1'); // achVendID
    b.writeUInt16BE(0x40, 62); // fsSelection: REGULAR
    b.writeUInt16BE(0x20, 64); // usFirstCharIndex
    b.writeUInt16BE(0x20, 66); // usLastCharIndex
    b.writeInt16BE(ASCENT, 68); // sTypoAscender
    b.writeInt16BE(DESCENT, 70); // sTypoDescender
    b.writeUInt16BE(ASCENT, 74); // usWinAscent
    b.writeUInt16BE(-DESCENT, 76); // usWinDescent
    b.writeUInt32BE(1, 78); // ulCodePageRange1: Latin 1
    b.writeInt16BE(500, 86); // sxHeight
    b.writeInt16BE(700, 88); // sCapHeight
    b.writeUInt16BE(0x20, 92); // usBreakChar
  });
}

/** One h-metric per glyph: .notdef and the glyph, both ADVANCE wide. */
function hmtx(): Buffer {
  return be(8, (b) => {
    b.writeUInt16BE(ADVANCE, 0);
    b.writeUInt16BE(ADVANCE, 4);
  });
}

/** Glyph 0 is a simple glyph without contours (12 bytes), glyph 1 has no data at all. */
function glyf(): Buffer {
  return Buffer.alloc(12);
}

function loca(): Buffer {
  return be(6, (b) => {
    b.writeUInt16BE(0, 0);
    b.writeUInt16BE(6, 2); // offsets / 2 in the short format
    b.writeUInt16BE(6, 4);
  });
}

/** A Windows Unicode cmap (format 4) mapping the space to glyph 1; the PDF maps codes itself (CIDToGIDMap). */
function cmap(): Buffer {
  const sub = be(32, (b) => {
    b.writeUInt16BE(4, 0); // format
    b.writeUInt16BE(32, 2); // length
    b.writeUInt16BE(4, 6); // segCountX2
    b.writeUInt16BE(4, 8); // searchRange
    b.writeUInt16BE(1, 10); // entrySelector
    b.writeUInt16BE(0, 12); // rangeShift
    b.writeUInt16BE(0x20, 14); // endCode[0]
    b.writeUInt16BE(0xffff, 16); // endCode[1]
    b.writeUInt16BE(0x20, 20); // startCode[0] (after reservedPad at 18)
    b.writeUInt16BE(0xffff, 22);
    b.writeInt16BE(1 - 0x20, 24); // idDelta[0]: space -> glyph 1
    b.writeInt16BE(1, 26); // idDelta[1]
    // idRangeOffset[0..1] (28, 30) stay 0.
  });
  const header = be(12, (b) => {
    b.writeUInt16BE(0, 0);
    b.writeUInt16BE(1, 2);
    b.writeUInt16BE(3, 4); // Windows
    b.writeUInt16BE(1, 6); // Unicode BMP
    b.writeUInt32BE(12, 8);
  });
  return Buffer.concat([header, sub]);
}

function name(): Buffer {
  const records: Array<[number, string]> = [
    [1, FONT_NAME],
    [2, 'Regular'],
    [3, `${FONT_NAME}-1.0`],
    [4, FONT_NAME],
    [6, FONT_NAME],
  ];
  const strings = records.map(([, s]) => Buffer.from(s, 'utf16le').swap16());
  const header = be(6 + 12 * records.length, (b) => {
    b.writeUInt16BE(0, 0);
    b.writeUInt16BE(records.length, 2);
    b.writeUInt16BE(6 + 12 * records.length, 4);
    let offset = 0;
    records.forEach(([id], i) => {
      const at = 6 + 12 * i;
      b.writeUInt16BE(3, at); // Windows
      b.writeUInt16BE(1, at + 2); // Unicode BMP
      b.writeUInt16BE(0x409, at + 4); // en-US
      b.writeUInt16BE(id, at + 6);
      b.writeUInt16BE(strings[i]!.length, at + 8);
      b.writeUInt16BE(offset, at + 10);
      offset += strings[i]!.length;
    });
  });
  return Buffer.concat([header, ...strings]);
}

function post(): Buffer {
  return be(32, (b) => {
    b.writeUInt32BE(0x00030000, 0); // version 3: no glyph names
    b.writeInt16BE(-100, 8); // underlinePosition
    b.writeInt16BE(50, 10); // underlineThickness
    b.writeUInt32BE(1, 12); // isFixedPitch
  });
}

function checksum(b: Buffer): number {
  const padded = b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

let font: Buffer | undefined;

/** The TrueType font program (FontFile2), the same bytes every time. */
export function glyphlessFont(): Buffer {
  if (font) return font;
  const tables: Array<[string, Buffer]> = [
    ['OS/2', os2()],
    ['cmap', cmap()],
    ['glyf', glyf()],
    ['head', head()],
    ['hhea', hhea()],
    ['hmtx', hmtx()],
    ['loca', loca()],
    ['maxp', maxp()],
    ['name', name()],
    ['post', post()],
  ]; // sorted by tag, as the table directory must be
  const n = tables.length;
  const entrySelector = Math.floor(Math.log2(n));
  const searchRange = 16 * 2 ** entrySelector;
  const directory = Buffer.alloc(12 + 16 * n);
  directory.writeUInt32BE(0x00010000, 0);
  directory.writeUInt16BE(n, 4);
  directory.writeUInt16BE(searchRange, 6);
  directory.writeUInt16BE(entrySelector, 8);
  directory.writeUInt16BE(16 * n - searchRange, 10);
  const parts: Buffer[] = [directory];
  let offset = directory.length;
  let headAt = 0;
  tables.forEach(([tag, data], i) => {
    const at = 12 + 16 * i;
    directory.write(tag, at, 'latin1');
    directory.writeUInt32BE(checksum(data), at + 4);
    directory.writeUInt32BE(offset, at + 8);
    directory.writeUInt32BE(data.length, at + 12);
    if (tag === 'head') headAt = offset;
    const padded = data.length % 4 ? Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]) : data;
    parts.push(padded);
    offset += padded.length;
  });
  const whole = Buffer.concat(parts);
  whole.writeUInt32BE((0xb1b0afba - checksum(whole)) >>> 0, headAt + 8);
  font = whole;
  return whole;
}
