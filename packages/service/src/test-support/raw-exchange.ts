/**
 * One HTTP exchange over a bare TCP socket, for requests no HTTP client will
 * send (duplicated or lying headers, absolute-form targets, bytes that are not
 * UTF-8), and the WebSocket frames that follow a 101. Written by hand because
 * that is the point: http.request and ws normalise exactly what a fuzzer wants
 * to get wrong. The exchange ends when one answer is complete, when the server
 * closes, or (after a 101) when the server answers the probe frame or closes
 * the WebSocket; never on a timer.
 */
import net from 'node:net';

export interface RawRequest {
  port: number;
  method: string;
  /** The request-target exactly as sent (a path, an absolute URL, `*`...). */
  target: string;
  version: string;
  /** In order, duplicates allowed. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Close our side once sent: for a Content-Length that promises more than the body. */
  halfClose: boolean;
  /** After a 101: this text frame is sent, and the exchange ends when it is answered (cmdId "probe") or the socket closes. */
  probe?: string;
}

export interface WsFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawAnswer {
  /** 0: the server closed without answering. */
  status: number;
  /** Lower-case names; duplicates joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Frames received after a 101. */
  frames: WsFrame[];
}

export function serialize(req: RawRequest): Buffer {
  const head = `${req.method} ${req.target} ${req.version}\r\n${req.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  // latin1: every char code 0..255 goes out as that byte, so generators control the bytes.
  return Buffer.concat([Buffer.from(head, 'latin1'), req.body]);
}

/** A masked client frame (RFC 6455 5.2); the mask key is zero, which is allowed and keeps the bytes as given. */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

/** Server frames at the start of `buf`; `rest` is an incomplete tail. */
export function parseFrames(buf: Buffer): { frames: WsFrame[]; rest: Buffer } {
  const frames: WsFrame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = buf[at]! & 0x0f;
    const masked = (buf[at + 1]! & 0x80) !== 0;
    let length = buf[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (buf.length < offset + 2) break;
      length = buf.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (buf.length < offset + 8) break;
      length = Number(buf.readBigUInt64BE(offset));
      offset += 8;
    }
    const mask = masked ? buf.subarray(offset, offset + 4) : null;
    if (masked) offset += 4;
    if (buf.length < offset + length) break;
    const payload = Buffer.from(buf.subarray(offset, offset + length));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
    frames.push({ opcode, payload });
    at = offset + length;
  }
  return { frames, rest: buf.subarray(at) };
}

interface Head {
  status: number;
  headers: Record<string, string>;
  end: number;
}

function parseHead(buf: Buffer, from: number): Head | null {
  const end = buf.indexOf('\r\n\r\n', from, 'latin1');
  if (end < 0) return null;
  const lines = buf.subarray(from, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status, headers, end: end + 4 };
}

/** A chunked body starting at `from`, or null while incomplete. */
function dechunk(buf: Buffer, from: number): Buffer | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return Buffer.concat(parts);
    if (size === 0) return buf.length >= eol + 4 ? Buffer.concat(parts) : null;
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

export function exchange(req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let done = false;
    let probed = false;
    const socket = net.connect(req.port, '127.0.0.1', () => {
      socket.write(serialize(req));
      if (req.halfClose) socket.end();
    });
    const finish = (answer: RawAnswer) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(answer);
    };
    /** The answer in `data` so far, or null while it is incomplete; `closed`: nothing more will come. */
    const answer = (closed: boolean): RawAnswer | null => {
      let from = 0;
      for (;;) {
        const head = parseHead(data, from);
        if (!head) return closed ? { status: 0, headers: {}, body: data, frames: [] } : null;
        // Interim answers (100 Continue) precede the real one.
        if (head.status >= 100 && head.status < 200 && head.status !== 101) {
          from = head.end;
          continue;
        }
        if (head.status === 101) {
          const { frames } = parseFrames(data.subarray(head.end));
          if (!probed && req.probe !== undefined) {
            probed = true;
            socket.write(clientFrame(1, Buffer.from(req.probe)));
          }
          const ended = frames.some((f) => f.opcode === 8) || frames.some((f) => f.opcode === 1 && /"cmdId":"probe"/.test(f.payload.toString()));
          return ended || closed ? { status: 101, headers: head.headers, body: Buffer.alloc(0), frames } : null;
        }
        const result = (body: Buffer): RawAnswer => ({ status: head.status, headers: head.headers, body, frames: [] });
        if (req.method === 'HEAD' || head.status === 204 || head.status === 304) return result(Buffer.alloc(0));
        if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) {
          const body = dechunk(data, head.end);
          return body ? result(body) : closed ? result(data.subarray(head.end)) : null;
        }
        const length = head.headers['content-length'];
        if (length !== undefined && /^\d+$/.test(length)) {
          if (data.length >= head.end + Number(length)) return result(data.subarray(head.end, head.end + Number(length)));
          return closed ? result(data.subarray(head.end)) : null;
        }
        return closed ? result(data.subarray(head.end)) : null;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const complete = answer(false);
      if (complete) finish(complete);
    });
    socket.on('close', () => finish(answer(true)!));
    // A reset is the server's way to refuse some requests; 'close' follows and reports what arrived.
    socket.on('error', () => undefined);
  });
}
