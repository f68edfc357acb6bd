/**
 * The outputs of Recognize made from one page model. hOCR and ALTO come
 * from the writers in formats/ (shared with saving); until they are there,
 * asking for them is a clear error rather than a guess at the format.
 */
import { ScanbridgeError, type OcrOutput, type OcrPage, type PageText } from '@scanbridge/protocol';

export async function pageOutputs(page: OcrPage, output: readonly OcrOutput[]): Promise<Omit<PageText, 'page' | 'index' | 'version'>> {
  const out: Omit<PageText, 'page' | 'index' | 'version'> = {};
  if (output.includes('text')) out.text = page.text;
  if (output.includes('words')) out.words = page;
  for (const kind of ['hocr', 'alto'] as const) {
    if (output.includes(kind)) {
      throw new ScanbridgeError('invalid-params', `params.output: ${kind} is not available in this build yet; allowed: text, words`, { path: 'output' });
    }
  }
  return out;
}
