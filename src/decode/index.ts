// Decode stage: bytes → Unicode text (BOM, HTTP charset, XML declaration,
// detection). Everything after it sees text only. It must not parse XML.
export { charsetFromContentType, type Decoded, DecodeError, decodeBytes } from "./decode-bytes.js";
