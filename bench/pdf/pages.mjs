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

/**
 * A colour JPEG page, as a flatbed or feeder scan gives it: text with a photo
 * (content 'text'), a page that is all photo, noisy (the largest JPEG), or a
 * nearly blank sheet (paper and a page number).
 */
export async function jpegPage(seed, quality = 85, content = 'text') {
  if (content === 'noisy') {
    return sharp({ create: { ...A4_300, channels: 3, background: { r: 90 + seed * 10, g: 120, b: 140 }, noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
      .blur(0.8)
      .withDensity(300)
      .jpeg({ quality })
      .toBuffer();
  }
  if (content === 'blank') {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${A4_300.width}" height="${A4_300.height}"><text x="1180" y="3350" font-family="DejaVu Sans" font-size="34" fill="#333">- ${seed + 1} -</text></svg>`;
    return sharp({ create: { ...A4_300, channels: 3, background: '#f4f1ea', noise: { type: 'gaussian', mean: 238, sigma: 2 } } })
      .composite([{ input: Buffer.from(svg) }])
      .withDensity(300)
      .jpeg({ quality })
      .toBuffer();
  }
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

/** Contents the format benchmarks measure on: a text page, a photo-ish (noisy) page, a nearly blank page. */
export const CONTENTS = ['text', 'noisy', 'blank'];

/**
 * A black-and-white page of the given content as 8-bit grey (0 or 255): the
 * text page as bilevelGrey; noisy: a thresholded photo (blurred noise, the
 * worst case for G4); blank: a page number and a short rule.
 */
export async function bilevelContent(content, seed) {
  if (content === 'text') return bilevelGrey(seed);
  if (content === 'noisy') {
    return sharp({ create: { ...A4_300, channels: 3, background: '#fff', noise: { type: 'gaussian', mean: 150 + seed, sigma: 70 } } })
      .blur(1.5)
      .toColourspace('b-w')
      .threshold(150)
      .raw()
      .toBuffer();
  }
  if (content === 'blank') {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${A4_300.width}" height="${A4_300.height}"><text x="1180" y="3350" font-family="DejaVu Sans" font-size="34">- ${seed + 1} -</text><rect x="200" y="250" width="${300 + seed * 40}" height="4"/></svg>`;
    return sharp({ create: { ...A4_300, channels: 3, background: '#fff' } }).composite([{ input: Buffer.from(svg) }]).toColourspace('b-w').threshold(160).raw().toBuffer();
  }
  throw new Error(`unknown content ${content}`);
}
