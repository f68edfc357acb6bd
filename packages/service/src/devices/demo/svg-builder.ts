/**
 * A tiny SVG writer for the demo pages: text set in DejaVu Sans with our own
 * line breaking (librsvg does not wrap), justified paragraphs, rules and boxes.
 * All coordinates are millimetres of the page design.
 */
import { FONT_FAMILY, type FontFace, textWidth, wrap } from './text-metrics.js';

export interface TextStyle {
  size: number;
  face?: FontFace;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  italic?: boolean;
}

const PT = 0.3528;
/** Typographic points to millimetres. */
export const pt = (points: number): number => points * PT;

export function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

export const num = (n: number): string => String(Math.round(n * 1000) / 1000);

export class SvgBuilder {
  private readonly parts: string[] = [];

  add(markup: string): this {
    this.parts.push(markup);
    return this;
  }

  text(x: number, y: number, text: string, style: TextStyle, extra = ''): this {
    const weight = style.face === 'bold' ? ' font-weight="bold"' : '';
    const italic = style.italic ? ' font-style="italic"' : '';
    const anchor = style.anchor && style.anchor !== 'start' ? ` text-anchor="${style.anchor}"` : '';
    return this.add(
      `<text x="${num(x)}" y="${num(y)}" font-size="${num(style.size)}" fill="${style.fill ?? '#222'}"${weight}${italic}${anchor}${extra}>${esc(text)}</text>`,
    );
  }

  /**
   * Sets a paragraph and returns the baseline below its last line. Justified
   * lines get their word gaps stretched, as a word processor would print them.
   */
  paragraph(x: number, y: number, width: number, text: string, style: TextStyle & { lineHeight: number; justify?: boolean; maxY?: number }): number {
    const face = style.face ?? 'regular';
    const lines = wrap(text, width, style.size, face);
    lines.forEach((line, i) => {
      const baseline = y + i * style.lineHeight;
      if (style.maxY !== undefined && baseline > style.maxY) return;
      const words = line.split(' ');
      const last = i === lines.length - 1;
      if (style.justify && !last && words.length > 1) {
        this.justified(x, baseline, width, words, style);
      } else {
        this.text(x, baseline, line, style);
      }
    });
    return y + lines.length * style.lineHeight;
  }

  /** librsvg ignores word-spacing, so every word gets its own position. */
  private justified(x: number, baseline: number, width: number, words: string[], style: TextStyle): void {
    const face = style.face ?? 'regular';
    const widths = words.map((word) => textWidth(word, style.size, face));
    const gap = (width - widths.reduce((a, b) => a + b, 0)) / (words.length - 1);
    let cursor = x;
    const spans = words.map((word, i) => {
      const span = `<tspan x="${num(cursor)}">${esc(word)}</tspan>`;
      cursor += (widths[i] ?? 0) + gap;
      return span;
    });
    const weight = face === 'bold' ? ' font-weight="bold"' : '';
    this.add(`<text y="${num(baseline)}" font-size="${num(style.size)}" fill="${style.fill ?? '#222'}"${weight}>${spans.join('')}</text>`);
  }

  /** Number of lines `paragraph` would use. */
  static lineCount(text: string, width: number, size: number, face: FontFace = 'regular'): number {
    return wrap(text, width, size, face).length;
  }

  rect(x: number, y: number, w: number, h: number, fill: string, extra = ''): this {
    return this.add(`<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="${fill}"${extra}/>`);
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: string, width: number): this {
    return this.add(`<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="${num(width)}"/>`);
  }

  toString(): string {
    return this.parts.join('\n');
  }
}

/** The root element: design millimetres scaled onto the exact pixel raster. */
export function svgDocument(widthPx: number, heightPx: number, widthMm: number, heightMm: number, scale: number, body: string, defs = ''): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${num(widthMm)} ${num(heightMm)}" preserveAspectRatio="none">` +
    `<defs>${defs}</defs><rect width="100%" height="100%" fill="#fff"/>` +
    `<g transform="scale(${num(scale)})" font-family="${FONT_FAMILY}" text-rendering="geometricPrecision">${body}</g></svg>`
  );
}
