/**
 * The bytes of a member's file as text, or what encoding it was saved in when that is not UTF-8 (what
 * spreadsheets call "Unicode text" is UTF-16; "CSV (Comma delimited)" in Excel on Windows is
 * Windows-1252). Pure.
 */

export type Decoded = { ok: true; text: string } | { ok: false; line: number; message: string };

const SAVE_AS =
  'expected UTF-8: in Excel use Save As → "CSV UTF-8 (Comma delimited)"; in Google Sheets, Numbers or LibreOffice export CSV with the UTF-8 character set';

export function decodeText(bytes: Uint8Array): Decoded {
  const utf16 = utf16Kind(bytes);
  if (utf16) {
    return {
      ok: false,
      line: 0,
      message: `the file is saved as ${utf16}, not UTF-8, so every character would be read wrong (${SAVE_AS})`,
    };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad === undefined) return { ok: true, text: new TextDecoder('utf-8').decode(bytes) };
  const line = 1 + bytes.subarray(0, bad).filter((b) => b === 0x0a).length;
  const byte = bytes[bad]!;
  const asWindows1252 = new TextDecoder('windows-1252').decode(bytes.subarray(bad, bad + 1));
  return {
    ok: false,
    line,
    message: `the file is not UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} here is "${asWindows1252}" in Windows-1252 (Latin-1), the encoding it was probably saved in (${SAVE_AS})`,
  };
}

/** "UTF-16 (little-endian)" etc. from a byte-order mark, or from the zero bytes of ASCII text in UTF-16. */
function utf16Kind(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return 'UTF-32 (little-endian)';
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return 'UTF-32 (big-endian)';
  if (a === 0xff && b === 0xfe) return 'UTF-16 (little-endian)';
  if (a === 0xfe && b === 0xff) return 'UTF-16 (big-endian)';
  // No mark: ASCII text in UTF-16 has a zero byte in every other place.
  const sample = bytes.subarray(0, 4096);
  if (sample.length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  sample.forEach((byte, i) => {
    if (byte === 0) {
      if (i % 2 === 0) evenZeros += 1;
      else oddZeros += 1;
    }
  });
  const half = sample.length / 2;
  if (oddZeros > half * 0.4 && evenZeros < half * 0.05) return 'UTF-16 (little-endian)';
  if (evenZeros > half * 0.4 && oddZeros < half * 0.05) return 'UTF-16 (big-endian)';
  return undefined;
}

/** The offset of the first byte that does not start a valid UTF-8 sequence, if any. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Lead byte: the sequence length, and the range of the byte after it (no overlongs or surrogates).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next < min || next > max) return i;
    }
    i += length;
  }
  return undefined;
}
