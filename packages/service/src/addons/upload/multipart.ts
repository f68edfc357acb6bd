/**
 * multipart/form-data framing around files read from disk. Written here (a
 * few lines) because the form libraries either buffer the file or hide the
 * byte count; here the length is known up front and the files stream through.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

export interface FilePart {
  path: string;
  name: string;
  size: number;
  mimeType: string;
}

/** Quotes in a disposition parameter as browsers do (WHATWG HTML form encoding). */
const quote = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export interface MultipartBody {
  contentType: string;
  length: number;
  stream(): Readable;
}

export function multipartBody(fields: Record<string, string>, fieldName: string, files: readonly FilePart[]): MultipartBody {
  const boundary = `----scanbridge${randomBytes(16).toString('hex')}`;
  const head: Buffer[] = Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
  const fileHeads = files.map((f) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(fieldName)}"; filename="${quote(f.name)}"\r\nContent-Type: ${f.mimeType}\r\n\r\n`));
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const CRLF = Buffer.from('\r\n');
  const length = head.reduce((n, b) => n + b.length, 0) + files.reduce((n, f, i) => n + fileHeads[i]!.length + f.size + CRLF.length, 0) + tail.length;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    stream: () =>
      Readable.from(
        (async function* () {
          yield* head;
          for (const [i, f] of files.entries()) {
            yield fileHeads[i]!;
            yield* createReadStream(f.path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
            yield CRLF;
          }
          yield tail;
        })(),
      ),
  };
}
