import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * A gzip member whose deflate stream is valid for its first `at` inflated bytes and corrupt right
 * after (the block that follows a full flush gets the reserved block type 11), with a correct
 * trailer: what a bit flip on disk or in transfer does. Returns the bytes and the offset of the
 * first corrupt byte.
 */
export function corruptGzip(data: Buffer, at: number): { bytes: Buffer; corruptAt: number } {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const first = deflateRawSync(data.subarray(0, at), { finishFlush: constants.Z_FULL_FLUSH });
  const rest = Buffer.from(deflateRawSync(data.subarray(at)));
  rest[0]! |= 0x07; // BFINAL=1, BTYPE=11: invalid block type
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  return { bytes: Buffer.concat([header, first, rest, trailer]), corruptAt: header.length + first.length };
}
