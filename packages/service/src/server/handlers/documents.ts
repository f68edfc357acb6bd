/** Handlers: loading files into the buffer and saving pages as files. */
import { Readable } from 'node:stream';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { DOCUMENT_METHODS, ParsedParamsOf, SaveResult } from '@scanbridge/protocol';
import { bufferPages, leasedBufferPages, loadIntoBuffer, type BufferLoadOptions } from '../../formats/buffer-io.js';
import { checkSaveOptions, saveOptionsOf, EXTENSION_ALIASES, EXTENSIONS, MIME_TYPES, outputFiles, type OutputFile, type SaveOptions } from '../../formats/encode.js';
import { recognisedCounter, withText } from '../../formats/page-recognizer.js';
import { allowedFolder, defaultBaseName, safeBaseName, writeIntoFolder } from '../../formats/save-folder.js';
import { pageGroups } from '../../documents/page-groups.js';
import type { DomainHandlers } from './types.js';
import { decodeBase64 } from './base64.js';


/** A file answered inside JSON is held whole, twice (bytes and base64): past this, binary or a folder is the way. */
const MAX_INLINE_BYTES = 256 * 1024 * 1024;

async function collect(file: OutputFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of file.chunks()) {
    size += chunk.length;
    if (size > MAX_INLINE_BYTES) {
      throw new ScanbridgeError('too-large', `the file passes ${MAX_INLINE_BYTES / 1048576} MB, too large to answer as base64: use binary: true (or a folder)`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

type LoadParams = ParsedParamsOf<'LoadImages'>;

/** The file of a load: base64 in params.data, or over HTTP the request body. */
function loadBytes(data: string | undefined, body: Buffer | undefined): Buffer {
  if (data !== undefined && body) throw new ScanbridgeError('invalid-params', 'params.data: the file came as the request body too; send it once');
  const bytes = data !== undefined ? decodeBase64(data) : body;
  if (!bytes) throw new ScanbridgeError('invalid-params', 'params.data: required (the file as base64), unless the HTTP body is the file');
  return bytes;
}

function loadOptions(params: LoadParams): BufferLoadOptions {
  return { format: params.format, dpi: params.dpi, password: params.password, xdpi: params.xdpi, ydpi: params.ydpi, index: params.index, tags: params.tags };
}

export const DOCUMENT_HANDLERS: DomainHandlers<keyof typeof DOCUMENT_METHODS> = {
  // A client that went away before the answer gets nothing added (it would retry and load the file twice).
  LoadImages: async ({ session, params, source }) => [await loadIntoBuffer(session.buffer, loadBytes(params.data, source.body), loadOptions(params), { signal: source.signal })],

  StartLoad: ({ ctx, session, params, source }) => {
    const bytes = loadBytes(params.data, source.body);
    const opts = loadOptions(params);
    return [
      ctx.jobs.startLoad(session.id, async (job) => {
        // Tagged with the job like scanned pages, so a job's pages can be found in the buffer.
        const pages = await loadIntoBuffer(session.buffer, bytes, { ...opts, tags: [...(opts.tags ?? []), `job:${job.id}`] }, { signal: job.signal, opened: (total) => job.progress(0, total), page: job.progress });
        return pages.map((p) => p.id);
      }),
    ];
  },

  SaveImages: async ({ ctx, session, params, source }) => {
    const opts = saveOptionsOf(params);
    if (params.binary && params.folder !== undefined) throw new ScanbridgeError('invalid-params', 'params.binary and params.folder exclude each other: answer the file, or write it to a folder');
    if (params.overwrite && params.folder === undefined) throw new ScanbridgeError('invalid-params', 'params.overwrite applies to saving into a folder (params.folder)');
    const base = safeBaseName(params.fileName, EXTENSION_ALIASES, defaultBaseName());
    // One group of pages per file set: the pages named, or one per document (eachDocument).
    const sets = pageGroups(session.buffer, params, base).map((g) => {
      const { facts, source: stored } = bufferPages(session.buffer, g.pages);
      checkSaveOptions(opts, facts);
      return { base: g.base, facts, stored };
    });
    // A searchable save reports each page recognised, as Recognize does: the text is most of its time.
    const total = sets.reduce((n, g) => n + g.facts.length, 0);
    const recognised = recognisedCounter(session.buffer, total, (d) => ctx.hub.publish(session.id, 'ocr', { type: 'progress', method: 'SaveImages', ...d }));
    const groups = sets.map(({ base: name, facts, stored }) => {
      // A client that goes away stops the recognition of pages it will never get.
      const pages = opts.ocr ? withText(stored, facts, session.buffer, ctx.ocr, opts.ocr.languages, source.signal, recognised) : stored;
      return { base: name, facts, files: outputFiles(pages, opts, name) };
    });
    const ext = EXTENSIONS[opts.format];
    const nameOf = (g: (typeof groups)[number], f: OutputFile) => (g.files.length === 1 ? g.base : `${g.base}-${f.first + 1}`);
    const result: SaveResult = { format: opts.format, mimeType: MIME_TYPES[opts.format], pages: groups.reduce((n, g) => n + g.facts.length, 0), files: [] };

    if (params.binary) {
      if (!source.binary) throw new ScanbridgeError('invalid-params', 'params.binary: a file answer needs HTTP (POST /f/SaveImages); over the WebSocket leave binary out to get base64');
      const count = groups.reduce((n, g) => n + g.files.length, 0);
      if (count !== 1) {
        const why = groups.length > 1 ? `${groups.length} documents make ${count} files: save one document at a time (params.document), or into a folder` : `${count} pages as ${opts.format.toUpperCase()} make ${count} files: save one page at a time, or as PDF or TIFF`;
        throw new ScanbridgeError('invalid-params', `params.binary answers one file, but ${why}`);
      }
      const g = groups[0]!;
      const file = g.files[0]!;
      source.binary.answer = { contentType: MIME_TYPES[opts.format], fileName: `${g.base}${ext}`, pages: file.pages, body: Readable.from(file.chunks()) };
      result.files.push({ name: `${g.base}${ext}`, size: 0, pages: file.pages });
      return [result];
    }
    if (params.folder !== undefined) {
      const folder = await allowedFolder(ctx.saveFolders, params.folder);
      for (const g of groups) {
        // A file is written a chunk at a time, each before the next is asked for (writeIntoFolder): a PDF's
        // pages from the disk cache can then come in reused slots, as an upload's do, not a copy per page.
        const leased = opts.format === 'pdf' && !opts.ocr ? leasedBufferPages(session.buffer, g.facts) : undefined;
        try {
          for (const f of leased ? outputFiles(leased.source, opts, g.base) : g.files) {
            const written = await writeIntoFolder(folder, nameOf(g, f), ext, params.overwrite, f.chunks());
            result.files.push({ name: written.name, size: written.size, folder: params.folder, pages: f.pages });
          }
        } finally {
          leased?.close();
        }
      }
      ctx.log.info({ session: session.id.slice(0, 8), files: result.files.length, format: opts.format }, 'pages saved to an allowed folder');
      return [result];
    }
    for (const g of groups) {
      for (const f of g.files) {
        const bytes = await collect(f);
        result.files.push({ name: `${nameOf(g, f)}${ext}`, size: bytes.length, data: bytes.toString('base64'), pages: f.pages });
      }
    }
    return [result];
  },
};
