/**
 * The protocol's format names and ZXing's. ZXing names variants (Code39Ext,
 * DataBarStk, QRCodeModel2...); the protocol reports their symbology, and
 * asks ZXing for exactly the variants of the formats requested.
 */
import type { BarcodeFormat } from '@scanbridge/protocol';
import type { ReadInputBarcodeFormat } from 'zxing-wasm/reader';

export const TO_ZXING: Record<BarcodeFormat, ReadInputBarcodeFormat[]> = {
  Aztec: ['AztecCode', 'AztecRune'],
  Codabar: ['Codabar'],
  Code39: ['Code39', 'Code39Ext'],
  Code93: ['Code93'],
  Code128: ['Code128'],
  DataBar: ['DataBarOmni', 'DataBarStk', 'DataBarStkOmni'],
  DataBarExpanded: ['DataBarExp', 'DataBarExpStk'],
  DataBarLimited: ['DataBarLtd'],
  DataMatrix: ['DataMatrix'],
  EAN8: ['EAN8'],
  EAN13: ['EAN13'],
  ITF: ['ITF', 'ITF14'],
  MaxiCode: ['MaxiCode'],
  MicroQRCode: ['MicroQRCode'],
  // Read by our own detector (imaging/analysis/patch-code.ts), not ZXing.
  PatchCode: [],
  PDF417: ['PDF417', 'CompactPDF417', 'MicroPDF417'],
  QRCode: ['QRCodeModel1', 'QRCodeModel2'],
  RMQRCode: ['RMQRCode'],
  UPCA: ['UPCA'],
  UPCE: ['UPCE'],
};

const FROM_ZXING = new Map<string, BarcodeFormat>();
for (const [ours, theirs] of Object.entries(TO_ZXING) as [BarcodeFormat, string[]][]) for (const name of theirs) FROM_ZXING.set(name, ours);
// Names ZXing reports for a whole family.
for (const [name, ours] of [
  ['Aztec', 'Aztec'],
  ['QRCode', 'QRCode'],
  ['DataBar', 'DataBar'],
  ['Code39Std', 'Code39'],
  ['ISBN', 'EAN13'],
  // Our detector's results travel through the same path.
  ['PatchCode', 'PatchCode'],
] as const)
  FROM_ZXING.set(name, ours);

/** The protocol's name of a format ZXing reported, or undefined for one the protocol does not offer. */
export function fromZxing(name: string): BarcodeFormat | undefined {
  return FROM_ZXING.get(name);
}

/** 2D (and stacked) codes: searched in their own pass, apart from the linear ones. */
export const MATRIX_FORMATS: ReadonlySet<BarcodeFormat> = new Set(['Aztec', 'DataMatrix', 'MaxiCode', 'MicroQRCode', 'PDF417', 'QRCode', 'RMQRCode']);
