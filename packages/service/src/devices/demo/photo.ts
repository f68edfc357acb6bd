/**
 * A photo-like picture drawn with gradients and shapes: smooth tones, soft
 * edges and grain are what make scanned photos hard to compress and to
 * threshold, so the demo page needs one.
 */
import { num } from './svg-builder.js';

const PHOTO_DEFS = `
<linearGradient id="ph-sky" x1="0" y1="0" x2="0" y2="1">
  <stop offset="0" stop-color="#3f78c2"/><stop offset="0.55" stop-color="#9cc2ea"/><stop offset="1" stop-color="#f4d9a9"/>
</linearGradient>
<radialGradient id="ph-sun" cx="0.5" cy="0.5" r="0.5">
  <stop offset="0" stop-color="#fffbe8"/><stop offset="0.25" stop-color="#ffe08a"/><stop offset="1" stop-color="#ffd36b" stop-opacity="0"/>
</radialGradient>
<linearGradient id="ph-far" x1="0" y1="0" x2="0" y2="1">
  <stop offset="0" stop-color="#6f86a3"/><stop offset="1" stop-color="#a7b8cb"/>
</linearGradient>
<linearGradient id="ph-hill" x1="0" y1="0" x2="0.3" y2="1">
  <stop offset="0" stop-color="#6d9a45"/><stop offset="1" stop-color="#2c5320"/>
</linearGradient>
<linearGradient id="ph-lake" x1="0" y1="0" x2="0" y2="1">
  <stop offset="0" stop-color="#7fa7cf"/><stop offset="1" stop-color="#24466b"/>
</linearGradient>
<linearGradient id="ph-wall" x1="0" y1="0" x2="1" y2="0">
  <stop offset="0" stop-color="#efe7da"/><stop offset="1" stop-color="#c9bda9"/>
</linearGradient>
<radialGradient id="ph-vignette" cx="0.5" cy="0.5" r="0.75">
  <stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/>
</radialGradient>
<filter id="ph-grain" x="0" y="0" width="1" height="1">
  <feTurbulence type="fractalNoise" baseFrequency="2.2" numOctaves="1" seed="7"/>
  <feColorMatrix type="matrix" values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  0.36 0 0 0 -0.13"/>
</filter>
<filter id="ph-soft"><feGaussianBlur stdDeviation="0.5"/></filter>
`;

/**
 * The picture as a standalone SVG of exactly `widthPx` x `heightPx`. It is
 * rendered on its own canvas: librsvg sizes filter surfaces to the canvas,
 * and a full-page canvas made the page ten times slower to render at 600 dpi.
 */
export function photoSvg(widthPx: number, heightPx: number): string {
  const trees = [8, 14, 19, 83, 90]
    .map((tx, i) => {
      const th = 11 + (i % 3) * 3;
      return `<rect x="${tx - 0.5}" y="41" width="1" height="4" fill="#4a3322"/><polygon points="${tx - 3.2},42 ${tx},${44 - th} ${tx + 3.2},42" fill="#23431c"/>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 100 66" preserveAspectRatio="none">
  <defs>${PHOTO_DEFS}</defs>
  <rect width="100" height="66" fill="url(#ph-sky)"/>
  <circle cx="72" cy="19" r="13" fill="url(#ph-sun)"/>
  <path d="M0 38 L14 24 L22 30 L35 17 L47 29 L58 22 L72 33 L86 21 L100 32 L100 46 L0 46 Z" fill="url(#ph-far)" opacity="0.9" filter="url(#ph-soft)"/>
  <path d="M0 44 Q18 33 36 40 T70 39 T100 41 L100 50 L0 50 Z" fill="url(#ph-hill)"/>
  ${trees}
  <rect x="0" y="46" width="100" height="20" fill="url(#ph-lake)"/>
  <path d="M6 50 H40 M50 53 H88 M20 57 H64 M12 61 H46 M60 60 H94" stroke="#d6e6f5" stroke-width="0.5" opacity="0.6"/>
  <g transform="translate(42 30)">
    <polygon points="-2,8 11,0 24,8" fill="#8a3b2e"/>
    <rect x="0" y="8" width="22" height="9" fill="url(#ph-wall)"/>
    <rect x="2.5" y="10" width="9" height="5" fill="#9fc3e3"/><rect x="14" y="10" width="3" height="7" fill="#5a3b28"/>
    <rect x="18.5" y="10" width="2.5" height="2.5" fill="#f5e6a8"/>
  </g>
  <rect x="42" y="47" width="22" height="5" fill="#c9bda9" opacity="0.25" filter="url(#ph-soft)"/>
  <rect width="100" height="66" filter="url(#ph-grain)"/>
  <rect width="100" height="66" fill="url(#ph-vignette)"/>
</svg>`;
}

/** The white border and thin outline of a photo print around the picture area (page SVG, mm). */
export function photoFrame(x: number, y: number, w: number, h: number): string {
  return (
    `<rect x="${num(x - 0.45)}" y="${num(y - 0.45)}" width="${num(w + 0.9)}" height="${num(h + 0.9)}" fill="#fff" stroke="#fff" stroke-width="0.9"/>` +
    `<rect x="${num(x - 0.95)}" y="${num(y - 0.95)}" width="${num(w + 1.9)}" height="${num(h + 1.9)}" fill="none" stroke="#9a9a9a" stroke-width="0.2"/>`
  );
}
