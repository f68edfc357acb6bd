/**
 * Patch codes as barcode results: the detector (imaging/analysis/patch-code.ts)
 * answers a type, the page edge it was read from and the bars' box; ReadBarcodes
 * answers format `PatchCode`, text `Patch 1`..`Patch T`, and the box as four
 * corners clockwise from the code's own top left (its leading edge is its top).
 */
import type { PatchCodeText } from '@scanbridge/protocol';
import { detectPatchCode, type PatchCode, type PatchCodeType } from '../../imaging/analysis/patch-code.js';
import type { RawCode } from './worker-protocol.js';

const TEXTS: Record<PatchCodeType, PatchCodeText> = {
  patch1: 'Patch 1',
  patch2: 'Patch 2',
  patch3: 'Patch 3',
  patch4: 'Patch 4',
  patch6: 'Patch 6',
  patchT: 'Patch T',
};

/** Degrees the code is turned clockwise, by the edge its first bar is nearest to. */
const ORIENTATION: Record<PatchCode['readFrom'], number> = { top: 0, right: 90, bottom: 180, left: 270 };

export function patchCodeRaw(code: PatchCode): RawCode {
  const { x, y, width: w, height: h } = code.region;
  const tl = { x, y };
  const tr = { x: x + w, y };
  const br = { x: x + w, y: y + h };
  const bl = { x, y: y + h };
  // Corners of the box, turned with the code: its top left is the corner of the leading edge that comes first clockwise.
  const corners = { top: [tl, tr, br, bl], right: [tr, br, bl, tl], bottom: [br, bl, tl, tr], left: [bl, tl, tr, br] }[code.readFrom];
  const text = TEXTS[code.type];
  return {
    format: 'PatchCode',
    text,
    bytes: new TextEncoder().encode(text),
    contentType: 'Text',
    hasECI: false,
    position: { topLeft: corners[0]!, topRight: corners[1]!, bottomRight: corners[2]!, bottomLeft: corners[3]! },
    orientation: ORIENTATION[code.readFrom],
    extra: JSON.stringify({ confidence: code.confidence }),
  };
}

/** The patch code on 8-bit grey pixels of this resolution, as a list of none or one. */
export function readPatchCode(grey: Uint8Array, width: number, height: number, dpi: { xdpi: number; ydpi: number }): RawCode[] {
  // Read at the pixels' own resolution: a 2x2 shrink to 150 dpi first cost more than it saved (measured).
  const code = detectPatchCode({ data: grey, width, height, xdpi: dpi.xdpi, ydpi: dpi.ydpi });
  return code ? [patchCodeRaw(code)] : [];
}
