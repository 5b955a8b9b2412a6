// Spectra and light curves: the <esasky-plot> element and the series readers (no side effects).
export { EsaskyPlot, axisTitle, paddedRange, type PlotHoverDetail, type PlotZoomDetail, type EsaskyPlotEventMap } from './esaskyPlot.js';
export { seriesFromFits, type Series, type SeriesRequest } from './series.js';
