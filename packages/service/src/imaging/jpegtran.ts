/**
 * Lossless JPEG transforms with jpegtran (Debian: libjpeg-turbo-progs).
 * jpegtran moves DCT blocks instead of decoding and re-encoding, so a JPEG
 * page turned four times is the same page. libvips has no such path, and no
 * npm package does it from maintained code, hence the tool.
 *
 * `-perfect` makes jpegtran refuse a transform it cannot do exactly (a page
 * whose size is not a multiple of the JPEG block size); the caller then
 * re-encodes instead of letting jpegtran leave the edge blocks unturned.
 */
import { spawn } from 'node:child_process';
import { ScanbridgeError } from '@scanbridge/protocol/core';

export type JpegTransform = 'rotate90' | 'rotate180' | 'rotate270' | 'flip' | 'mirror' | 'grayscale';

const ARGS: Record<JpegTransform, string[]> = {
  rotate90: ['-rotate', '90'],
  rotate180: ['-rotate', '180'],
  rotate270: ['-rotate', '270'],
  flip: ['-flip', 'vertical'],
  mirror: ['-flip', 'horizontal'],
  grayscale: ['-grayscale'],
};

const JPEGTRAN_PACKAGE = 'libjpeg-turbo-progs';

/**
 * The transformed JPEG, or null when it cannot be done losslessly. A missing
 * jpegtran is the tool-missing error naming the package.
 */
export function jpegtran(jpeg: Buffer, transform: JpegTransform, bin = 'jpegtran'): Promise<Buffer | null> {
  const perfect = transform === 'grayscale' ? [] : ['-perfect'];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-copy', 'none', ...perfect, ...ARGS[transform]], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.on('error', () => {
      // jpegtran stopped reading (it failed); its exit code tells why.
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(new ScanbridgeError('tool-missing', `Lossless JPEG transforms need ${bin}, which is not installed: install the Debian package ${JPEGTRAN_PACKAGE}`, { tool: bin, package: JPEGTRAN_PACKAGE }));
      } else reject(e);
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else if (/not perfect/i.test(err)) resolve(null);
      else reject(new ScanbridgeError('page-damaged', `its stored JPEG image cannot be transformed by jpegtran: ${err.trim().replace(/\s*\n\s*/g, '; ').slice(0, 300) || `exit code ${code}`}`));
    });
    child.stdin.end(jpeg);
  });
}
