/**
 * What a regular expression's `\s` matches, by UTF-16 code unit: for loops over char codes that
 * replace a regex (linear, and several times faster on long text).
 */
export function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Node's Buffer when the runtime has one, found at run time (as src/lib/hash.ts finds its
 * crypto) so the Worker bundle never imports it: its byte count is ~8 times the loop's speed
 * (0.37 against 2.7 ms for 580 KB, which a brief counts on the main thread).
 */
const nodeBuffer = (
  (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process?.getBuiltinModule?.('node:buffer') as typeof import('node:buffer') | undefined
)?.Buffer;

/** The UTF-8 length of `text`, counted without encoding it (a lone surrogate counts 3, as encoded). */
export function utf8Bytes(text: string): number {
  return nodeBuffer ? nodeBuffer.byteLength(text, 'utf8') : countUtf8Bytes(text);
}

/** utf8Bytes where there is no Buffer (Workers): a loop over the code units. */
export function countUtf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit < 0xe000;
