// Side-effect entry: registers <esasky-plot> (once, even if loaded twice).
import { EsaskyPlot } from './esaskyPlot.js';

if (!customElements.get('esasky-plot')) customElements.define('esasky-plot', EsaskyPlot);

export { EsaskyPlot };
