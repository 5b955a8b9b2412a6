// Side-effect entry: registers <esasky-sky> (once, even if loaded twice).
import { EsaskySky } from './elements/esaskySky.js';

if (!customElements.get('esasky-sky')) customElements.define('esasky-sky', EsaskySky);

export { EsaskySky };
