/**
 * AES-256-GCM decryption in place, through the system's OpenSSL 3
 * (libcrypto.so.3, Debian's libssl3) called by koffi, for the thread that
 * reads pages back from the disk cache (read-worker.ts, cipher.openFileInto).
 *
 * Why not node:crypto there: it cannot decrypt into memory the caller owns.
 * Every update() returns a new buffer (zero-filled first on Node 20) that the
 * reader then copies into the page's slot; measured on an A4 JPEG page read
 * from the cache, 0.75-1.1 ms of CPU per MB that way against 0.41-0.46 here
 * (each piece read into the slot and decrypted where it lies, still in the
 * core's cache). An upload from the disk cache is bound by that thread (issue
 * 12.4). No npm package binds EVP's in-place calls; this is the smallest
 * binding that does: the same cipher, key, nonce, AAD and tag as cipher.ts,
 * so a file sealed by either opens with either (cipher.test.ts checks).
 *
 * `loadNativeGcm()` answers null when libcrypto.so.3 cannot be loaded (or
 * koffi): callers then use node:crypto, as before.
 */

type Pointer = unknown;

interface Lib {
  newContext(): Pointer;
  freeContext(ctx: Pointer): void;
  aes256gcm: Pointer;
  init(ctx: Pointer, cipher: Pointer, engine: null, key: Uint8Array | null, iv: Uint8Array | null): number;
  update(ctx: Pointer, out: Uint8Array | null, outLength: Int32Array, data: Uint8Array, length: number): number;
  final(ctx: Pointer, out: Uint8Array, outLength: Int32Array): number;
  control(ctx: Pointer, type: number, arg: number, ptr: Uint8Array): number;
}

/** EVP_CTRL_GCM_SET_TAG (openssl/evp.h). */
const SET_TAG = 0x11;

export interface GcmDecipher {
  /** Decrypts `data` where it lies. The bytes are unauthenticated until final() says true. */
  update(data: Uint8Array): void;
  /** Whether `tag` authenticates the AAD and everything given to update(). */
  final(tag: Uint8Array): boolean;
  /** Frees the native context; needed after final() too, and when reading failed midway. */
  free(): void;
}

export interface NativeGcm {
  decipher(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array): GcmDecipher;
}

let loading: Promise<NativeGcm | null> | undefined;

export function loadNativeGcm(): Promise<NativeGcm | null> {
  loading ??= load().then(bind, () => null);
  return loading;
}

async function load(): Promise<Lib> {
  const koffi = (await import('koffi')).default;
  const lib = koffi.load('libcrypto.so.3');
  const getCipher = lib.func('const void *EVP_aes_256_gcm()') as () => Pointer;
  return {
    newContext: lib.func('void *EVP_CIPHER_CTX_new()') as Lib['newContext'],
    freeContext: lib.func('void EVP_CIPHER_CTX_free(void *ctx)') as Lib['freeContext'],
    aes256gcm: getCipher(),
    init: lib.func('int EVP_DecryptInit_ex(void *ctx, const void *cipher, void *engine, const uint8_t *key, const uint8_t *iv)') as Lib['init'],
    update: lib.func('int EVP_DecryptUpdate(void *ctx, uint8_t *out, int *outl, const uint8_t *in, int inl)') as Lib['update'],
    final: lib.func('int EVP_DecryptFinal_ex(void *ctx, uint8_t *out, int *outl)') as Lib['final'],
    control: lib.func('int EVP_CIPHER_CTX_ctrl(void *ctx, int type, int arg, uint8_t *ptr)') as Lib['control'],
  };
}

function bind(lib: Lib): NativeGcm {
  const outLength = new Int32Array(1);
  const finalOut = new Uint8Array(16);
  return {
    decipher(key, nonce, aad) {
      if (key.length !== 32 || nonce.length !== 12) throw new RangeError('AES-256-GCM takes a 32-byte key and a 12-byte nonce');
      let ctx: Pointer | null = lib.newContext();
      if (!ctx) throw new Error('libcrypto could not make a cipher context');
      const live = (): Pointer => {
        if (!ctx) throw new Error('the decipher was freed');
        return ctx;
      };
      const ok = (result: number, step: string): void => {
        if (result !== 1) throw new Error(`libcrypto: ${step} failed`);
      };
      try {
        ok(lib.init(ctx, lib.aes256gcm, null, key, nonce), 'EVP_DecryptInit_ex');
        if (aad.length > 0) ok(lib.update(ctx, null, outLength, aad, aad.length), 'the AAD');
      } catch (err) {
        lib.freeContext(ctx);
        throw err;
      }
      return {
        update(data) {
          if (data.length === 0) return;
          // GCM is a stream mode: what goes in comes out, same length, same place.
          ok(lib.update(live(), data, outLength, data, data.length), 'EVP_DecryptUpdate');
          if (outLength[0] !== data.length) throw new Error(`libcrypto: EVP_DecryptUpdate gave ${outLength[0]} bytes for ${data.length}`);
        },
        final(tag) {
          if (tag.length !== 16) return false;
          ok(lib.control(live(), SET_TAG, 16, Uint8Array.from(tag)), 'setting the tag');
          return lib.final(live(), finalOut, outLength) === 1;
        },
        free() {
          if (ctx) lib.freeContext(ctx);
          ctx = null;
        },
      };
    },
  };
}
