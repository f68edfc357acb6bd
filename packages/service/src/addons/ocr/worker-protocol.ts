/** Messages between the OCR pool and its threads. */
import type { OcrBlock } from '@scanbridge/protocol';
import type { WorkingTransform } from './geometry.js';

export type EngineName = 'tesseract' | 'tesseract.js';

export interface EngineChoice {
  engine: EngineName;
  /** For `tesseract`: its executable, and the tessdata folder when not its own. */
  command?: string;
  tessdataDir?: string | undefined;
  /** For `tesseract.js`: the file of each language (and of osd). */
  files?: Record<string, string>;
}

export interface RecognizeTask {
  kind: 'recognize';
  /** The page's encoded image (PNG or JPEG) and what the stored page is. */
  image: Uint8Array;
  page: { width: number; height: number; dpi: number };
  area: { left: number; top: number; width: number; height: number };
  languages: string[];
  psm: number;
  /** Detect and undo a quarter turn (osd), and the skew. */
  orient: boolean;
  deskew: boolean;
  choice: EngineChoice;
  osd: EngineChoice | null;
}

export interface OrientationTask {
  kind: 'orientation';
  image: Uint8Array;
  page: { width: number; height: number; dpi: number };
  osd: EngineChoice;
}

export type WorkerTask = (RecognizeTask | OrientationTask) & { id: number };

export interface RecognizedPage {
  blocks: OcrBlock[];
  text: string;
  confidence: number;
  rotation: 0 | 90 | 180 | 270;
  skew: number;
  /** Working resolution, below the page's when a huge page was scaled down. */
  scale: number;
  transform: WorkingTransform;
}

export interface Orientation {
  /** Clockwise degrees that turn the page upright (0/90/180/270). */
  rotation: 0 | 90 | 180 | 270;
  /** Tesseract's orientation confidence (about 0-50; above 2 is trustworthy). */
  confidence: number;
  script: string;
}

export type WorkerReply = { id: number; ok: true; result: RecognizedPage | Orientation } | { id: number; ok: false; message: string; code?: string };

/** A thread tells the pool of each system tesseract process it starts and sees end, so a thread given up does not leave one running. */
export interface ChildNote {
  child: number;
  running: boolean;
}
