/**
 * Provident in the browser. The navigator probes, the Web Worker prover and
 * `BrowserProvident.layer` arrive with the browser issue; until then this
 * package only holds its place in the workspace, type-checked against the DOM
 * library and depending on core alone.
 *
 * @since 0.1.0
 */
export {}
