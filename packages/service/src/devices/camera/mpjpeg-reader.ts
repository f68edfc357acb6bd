/**
 * Splits ffmpeg's `mpjpeg` output (a multipart stream: `--boundary`,
 * headers with Content-length, the JPEG, CRLF) into frames. Reading the
 * length the muxer wrote is exact, unlike searching for JPEG end markers,
 * which may occur inside a frame's data.
 */
export class MpjpegReader {
  private pending: Buffer = Buffer.alloc(0);
  private need: number | null = null;

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.need === null) {
        const end = this.pending.indexOf('\r\n\r\n');
        if (end < 0) {
          // Headers are short; anything longer is not this stream.
          if (this.pending.length > 4096) this.pending = Buffer.alloc(0);
          return;
        }
        const head = this.pending.subarray(0, end).toString('latin1');
        const length = /content-length:\s*(\d+)/i.exec(head);
        this.pending = this.pending.subarray(end + 4);
        if (!length) continue;
        this.need = Number(length[1]);
      }
      if (this.pending.length < this.need) return;
      const frame = Buffer.from(this.pending.subarray(0, this.need));
      this.pending = this.pending.subarray(this.need);
      this.need = null;
      this.onFrame(frame);
    }
  }
}
