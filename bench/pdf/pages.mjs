// Scan-like A4 300 dpi test pages for the format benchmarks: paper noise,
// lines of text, a photo; written once per seed.
import sharp from 'sharp';

export const A4_300 = { width: 2480, height: 3508 };

function svgPage(seed) {
  const lines = [];
  for (let i = 0; i < 60; i++) {
    const y = 300 + i * 48;
    const words = Array.from({ length: 9 }, (_, w) => `Wort${(seed * 31 + i * 7 + w) % 97} ${((seed + i + w) * 13) % 1000}`).join(' ');
    lines.push(`<text x="200" y="${y}" font-family="DejaVu Sans" font-size="34" fill="#222">${words}</text>`);
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${A4_300.width}" height="${A4_300.height}">` +
      `<rect x="1500" y="3150" width="780" height="200" fill="none" stroke="#333" stroke-width="4"/>` +
      lines.join('') +
      `</svg>`,
  );
}

/** A colour JPEG page, as a flatbed or feeder scan gives it. */
export async function jpegPage(seed, quality = 85) {
  const photo = await sharp({ create: { width: 600, height: 450, channels: 3, background: { r: 40 + seed * 20, g: 120, b: 160 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .blur(3)
    .png()
    .toBuffer();
  return sharp({ create: { ...A4_300, channels: 3, background: '#f4f1ea', noise: { type: 'gaussian', mean: 238, sigma: 5 } } })
    .composite([{ input: svgPage(seed) }, { input: photo, left: 1700, top: 2500 }])
    .withDensity(300)
    .jpeg({ quality })
    .toBuffer();
}

/** The same page's text as black-and-white pixels (8-bit grey, 0 or 255). */
export async function bilevelGrey(seed) {
  const { data } = await sharp({ create: { ...A4_300, channels: 3, background: '#ffffff' } })
    .composite([{ input: svgPage(seed) }])
    .toColourspace('b-w')
    .threshold(160)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data;
}
