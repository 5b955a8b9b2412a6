// The table reader in src/workers/tables names the TextDecoder *type*, which only the DOM lib
// declares; the server compiles without DOM, so borrow Node's (the same class at run time).
import type { TextDecoder as NodeTextDecoder } from 'node:util';

declare global {
  type TextDecoder = NodeTextDecoder;
}
