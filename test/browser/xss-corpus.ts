/**
 * Hostile strings the evidence may carry (command lines, user names, user agents, object names),
 * after the classic XSS filter-evasion lists: tags and handlers, URL schemes, SVG and MathML
 * parsing differences, comment, CDATA and raw-text break-outs, entity and template tricks. Each
 * would set window.__xss or open a dialog if it ever ran.
 */
export const XSS_CORPUS: readonly string[] = [
  '<script>window.__xss=1</script>',
  '"><script>window.__xss=2</script>',
  "'><img src=x onerror=window.__xss=3>",
  '<img src="x" onerror="window.__xss=4">',
  '<svg onload=window.__xss=5>',
  '<svg><script>window.__xss=6</script></svg>',
  '<svg><foreignObject><iframe srcdoc="<script>parent.__xss=7</script>"></iframe></foreignObject></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=8>',
  '<iframe src="javascript:parent.__xss=9"></iframe>',
  '<a href="javascript:window.__xss=10">x</a>',
  '<body onload=window.__xss=11>',
  '<details open ontoggle=window.__xss=12>',
  '<input autofocus onfocus=window.__xss=13>',
  '</title><script>window.__xss=14</script>',
  '</style><script>window.__xss=15</script>',
  '</textarea><script>window.__xss=16</script>',
  '--><script>window.__xss=17</script><!--',
  ']]><script>window.__xss=18</script>',
  '<object data="javascript:window.__xss=19"></object>',
  '<embed src="data:text/html,<script>parent.__xss=20</script>">',
  '<link rel=stylesheet href="http://203.0.113.250/x.css">',
  '<img src="http://203.0.113.250/beacon.png">',
  '<style>@import "http://203.0.113.250/i.css";</style>',
  '<div style="background:url(http://203.0.113.250/b)">x</div>',
  '&lt;script&gt;window.__xss=21&lt;/script&gt;',
  '{{constructor.constructor("window.__xss=22")()}}',
  '${window.__xss=23}',
  '<base href="http://203.0.113.250/">',
  '<meta http-equiv="refresh" content="0;url=http://203.0.113.250/">',
  '<form action="http://203.0.113.250/"><button>x</button></form>',
];

/** All of them in one string: the worst case is every one next to every other. */
export const XSS_STRING = XSS_CORPUS.join(' ');
