/**
 * multipart/form-data framing around files that are being encoded. Written
 * here (a few lines) because the form libraries either buffer the file or
 * want to know its size up front; here the parts stream through as the pages
 * are encoded, and the length is only known at the end (the request goes
 * chunked).
 */
import { randomBytes } from 'node:crypto';

export interface StreamedFile {
  name: string;
  mimeType: string;
  chunks(): AsyncIterable<Buffer>;
}

/** Quotes in a disposition parameter as browsers do (WHATWG HTML form encoding). */
const quote = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export interface MultipartBody {
  contentType: string;
  chunks(): AsyncGenerator<Buffer>;
}

/** The fields first (a receiver can check them before the files arrive), then one part per file. */
export function multipartBody(fields: Record<string, string>, fieldName: string, files: readonly StreamedFile[]): MultipartBody {
  const boundary = `----scanbridge${randomBytes(16).toString('hex')}`;
  const head = Buffer.from(Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`).join(''));
  const fileHead = (f: StreamedFile) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(fieldName)}"; filename="${quote(f.name)}"\r\nContent-Type: ${f.mimeType}\r\n\r\n`);
  const CRLF = Buffer.from('\r\n');
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    async *chunks() {
      if (head.length > 0) yield head;
      for (const f of files) {
        yield fileHead(f);
        yield* f.chunks();
        yield CRLF;
      }
      yield Buffer.from(`--${boundary}--\r\n`);
    },
  };
}
