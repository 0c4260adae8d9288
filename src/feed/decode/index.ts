// STUB: replaced by the charset decoder.
export interface DecodedDocument {
  text: string;
  charset: string;
  warnings: string[];
}
export function decodeDocument(bytes: Uint8Array, _contentType?: string | null): DecodedDocument {
  return { text: new TextDecoder('utf-8').decode(bytes), charset: 'utf-8', warnings: [] };
}
