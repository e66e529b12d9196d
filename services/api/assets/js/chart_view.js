// Draws a job's Vega-Lite spec with vega-embed. The vendored builds (about 840 kB) are loaded
// the first time a chart is drawn, so the page itself stays small.
//
// Vega runs with `ast: true`: expressions are evaluated by its interpreter instead of being
// compiled with `new Function`, which the page's Content-Security-Policy (no 'unsafe-eval')
// would block. The default style sheets of vega-embed and vega-tooltip are off because the
// policy allows no inline styles either; their rules live in app.css.

import { el } from './dom.js';

const VENDOR_SCRIPTS = [
  'assets/vendor/vega-6.4.0.min.js',
  'assets/vendor/vega-lite-6.5.0.min.js',
  'assets/vendor/vega-embed-7.3.0.min.js',
];

let vegaEmbedLoading = null;

/** Resolves to `window.vegaEmbed`, loading the three scripts in order on the first call. */
export function loadVegaEmbed() {
  if (!vegaEmbedLoading) {
    vegaEmbedLoading = VENDOR_SCRIPTS.reduce(
      (previous, src) => previous.then(() => loadScript(src)),
      Promise.resolve(),
    ).then(() => window.vegaEmbed);
    vegaEmbedLoading.catch(() => {
      vegaEmbedLoading = null;
    });
  }
  return vegaEmbedLoading;
}

/** Draws `spec` into `container` as SVG; resolves to the vega-embed result. */
export async function renderChart(container, spec, { description } = {}) {
  const vegaEmbed = await loadVegaEmbed();
  // The server writes v5 specs; drop the $schema so the v6 compiler does not warn about it.
  const { $schema: _schema, ...chartSpec } = structuredClone(spec);
  chartSpec.width = 'container';
  chartSpec.height = chartSpec.height ?? 260;
  chartSpec.autosize = { type: 'fit', contains: 'padding' };
  const target = el('div', { className: 'chart-target', role: 'img', 'aria-label': description || chartSpec.description || 'Chart of the result' });
  container.replaceChildren(target);
  return vegaEmbed(target, chartSpec, {
    mode: 'vega-lite',
    renderer: 'svg',
    actions: false,
    ast: true,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
    config: {
      font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 160 },
    },
  });
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = el('script', { src });
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => reject(new Error(`could not load ${src}`)));
    document.head.append(script);
  });
}
