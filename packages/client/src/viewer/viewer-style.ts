/** Styles of <scan-viewer>, in its shadow root; sizes are custom properties an application may set. */
export const VIEWER_STYLE = `
:host{display:block;position:relative;height:32rem;--thumb-size:112px;--accent:#0b57d0;--bg:#f1f3f5;--thumb-bg:#fff;color:#1b1f24;font:14px/1.4 system-ui,sans-serif;contain:content}
.root{display:grid;grid-template-columns:calc(var(--thumb-size) + 36px) 1fr;height:100%;background:var(--bg)}
:host([layout=grid]) .root{grid-template-columns:minmax(calc(var(--thumb-size) + 36px),45%) 1fr}
.strip{overflow-y:auto;overflow-x:hidden;padding:8px;display:flex;flex-direction:column;gap:10px;outline:none;overscroll-behavior:contain;border-right:1px solid #d0d4d9}
:host([layout=grid]) .strip{display:grid;grid-template-columns:repeat(auto-fill,calc(var(--thumb-size) + 12px));align-content:start;justify-content:center}
.strip:focus-visible{box-shadow:inset 0 0 0 2px var(--accent)}
.thumb{position:relative;flex:none;width:calc(var(--thumb-size) + 8px);height:calc(var(--thumb-size) * 1.414 + 8px);padding:4px;box-sizing:border-box;border:2px solid transparent;border-radius:6px;cursor:pointer;
  display:flex;align-items:center;justify-content:center;background:transparent;contain:strict;content-visibility:auto;contain-intrinsic-size:auto calc(var(--thumb-size) * 1.414 + 8px)}
.thumb img{max-width:100%;max-height:100%;background:var(--thumb-bg);box-shadow:0 1px 3px #0003;pointer-events:none;user-select:none}
.thumb:not(.loaded)::before{content:"";position:absolute;inset:4px;background:var(--thumb-bg);opacity:.6;border-radius:2px}
.thumb[aria-selected=true]{border-color:var(--accent);background:#0b57d01a}
.thumb.current{outline:2px dashed var(--accent);outline-offset:1px}
.strip:focus .thumb.current{outline-style:solid}
.thumb .num{position:absolute;bottom:6px;right:6px;min-width:1.4em;padding:0 .3em;border-radius:.7em;background:#1b1f24cc;color:#fff;font-size:11px;text-align:center}
.thumb .tag{position:absolute;top:6px;left:6px;padding:0 .35em;border-radius:.3em;background:#b26a00;color:#fff;font-size:11px}
.thumb.drop-before{box-shadow:0 -4px 0 var(--accent)}
.thumb.drop-after{box-shadow:0 4px 0 var(--accent)}
:host([layout=grid]) .thumb.drop-before{box-shadow:-4px 0 0 var(--accent)}
:host([layout=grid]) .thumb.drop-after{box-shadow:4px 0 0 var(--accent)}
.thumb.dragging{opacity:.4}
.main{position:relative;display:flex;align-items:center;justify-content:center;overflow:hidden;padding:12px;min-width:0}
.main img{max-width:100%;max-height:100%;background:#fff;box-shadow:0 2px 10px #0003}
.main img[hidden]{display:none}
.empty{color:#5f6368;text-align:center}
.codes{position:absolute;pointer-events:none;overflow:visible}
.codes[hidden]{display:none}
.codes .code{fill:#0b57d022;stroke:var(--code-outline,#d93025);stroke-width:3px;vector-effect:non-scaling-stroke}
.thumb.doc-end{margin-bottom:14px}
.thumb.doc-end::after{content:"";position:absolute;left:0;right:0;bottom:-11px;border-bottom:3px solid var(--doc-mark,#188038)}
:host([layout=grid]) .thumb.doc-end{margin-bottom:0}
:host([layout=grid]) .thumb.doc-end::after{left:auto;top:0;right:-8px;bottom:0;border-bottom:0;border-right:3px solid var(--doc-mark,#188038)}
.words{position:absolute;pointer-events:none}
.words[hidden]{display:none}
.word{position:absolute;box-sizing:border-box;border:1px solid #0b57d0aa;background:#0b57d014;color:transparent;overflow:hidden;white-space:nowrap;font-size:8px;pointer-events:auto;user-select:text}
.crop{position:absolute;border:2px dashed var(--accent);background:#0b57d022;pointer-events:none}
.corners{position:absolute;inset:0;touch-action:none}
.corners svg{position:absolute;inset:0;width:100%;height:100%;pointer-events:none}
.corners polygon{fill:#0b57d01a;stroke:var(--accent);stroke-width:2}
.corner{position:absolute;width:22px;height:22px;margin:-11px 0 0 -11px;border-radius:50%;background:#fff;border:3px solid var(--accent);box-sizing:border-box;cursor:grab;touch-action:none}
.corner:focus-visible{outline:3px solid #1b1f24;outline-offset:2px}
.corner-bar{position:absolute;right:16px;bottom:16px;display:flex;gap:8px}
.corner-bar button{font:inherit;padding:.35em .9em;border-radius:6px;border:1px solid #8a9099;background:#fff;cursor:pointer}
.corner-bar .apply{background:var(--accent);border-color:var(--accent);color:#fff}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;
