/**
 * The corner mode of <scan-viewer>: four handles over the large page, joined
 * by an outline, that the user drags onto the paper's corners of a
 * photographed page. Pointer: drag a handle. Keyboard: Tab moves between the
 * handles, arrows move one by a screen pixel (Shift: ten), Enter applies,
 * Escape cancels. Coordinates are pixels of the page as stored, whatever
 * size it is shown at.
 */
import type { DocumentCorners } from '@scanbridge/protocol';

type CornerName = keyof DocumentCorners;
const NAMES: readonly CornerName[] = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'];
const LABELS: Record<CornerName, string> = { topLeft: 'Top-left corner', topRight: 'Top-right corner', bottomRight: 'Bottom-right corner', bottomLeft: 'Bottom-left corner' };

export interface CornerEditorHost {
  main: HTMLElement;
  image: HTMLImageElement;
  page: { width: number; height: number };
  announce(text: string): void;
}

export interface CornerEditor {
  /** Resolves with the corners when the user applies them, null when cancelled. */
  done: Promise<DocumentCorners | null>;
  apply(): void;
  cancel(): void;
}

export function editCorners(host: CornerEditorHost, start: DocumentCorners): CornerEditor {
  const { main, image, page } = host;
  const corners: DocumentCorners = structuredClone(start);
  const layer = document.createElement('div');
  layer.className = 'corners';
  layer.setAttribute('part', 'corners');
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  const outline = document.createElementNS(svgNs, 'polygon');
  svg.append(outline);
  layer.append(svg);
  const handles = new Map<CornerName, HTMLElement>();
  for (const name of NAMES) {
    const h = document.createElement('div');
    h.className = 'corner';
    h.setAttribute('part', 'corner');
    h.dataset.corner = name;
    h.tabIndex = 0;
    h.setAttribute('role', 'button');
    h.setAttribute('aria-label', `${LABELS[name]}: drag it onto the corner of the paper, or move it with the arrow keys`);
    handles.set(name, h);
    layer.append(h);
  }
  const bar = document.createElement('div');
  bar.className = 'corner-bar';
  bar.setAttribute('part', 'corner-bar');
  const applyButton = document.createElement('button');
  applyButton.type = 'button';
  applyButton.className = 'apply';
  applyButton.textContent = 'Apply';
  const cancelButton = document.createElement('button');
  cancelButton.type = 'button';
  cancelButton.className = 'cancel';
  cancelButton.textContent = 'Cancel';
  bar.append(applyButton, cancelButton);
  layer.append(bar);
  main.append(layer);

  /** Page pixels per screen pixel, and where the image sits inside `main`. */
  const frame = () => {
    const r = image.getBoundingClientRect();
    const m = main.getBoundingClientRect();
    return { left: r.left - m.left, top: r.top - m.top, sx: page.width / r.width, sy: page.height / r.height, r };
  };
  const draw = () => {
    const f = frame();
    const screen = NAMES.map((n) => ({ x: f.left + corners[n].x / f.sx, y: f.top + corners[n].y / f.sy }));
    outline.setAttribute('points', screen.map((p) => `${p.x},${p.y}`).join(' '));
    NAMES.forEach((n, i) => {
      const h = handles.get(n)!;
      h.style.left = `${screen[i]!.x}px`;
      h.style.top = `${screen[i]!.y}px`;
    });
  };
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  const moveTo = (name: CornerName, clientX: number, clientY: number) => {
    const f = frame();
    corners[name] = { x: clamp((clientX - f.r.left) * f.sx, page.width), y: clamp((clientY - f.r.top) * f.sy, page.height) };
    draw();
  };

  let dragging: CornerName | null = null;
  const down = (e: PointerEvent) => {
    const name = (e.target as HTMLElement).closest<HTMLElement>('.corner')?.dataset.corner as CornerName | undefined;
    if (!name) return;
    dragging = name;
    (e.target as HTMLElement).setPointerCapture(e.pointerId);
    e.preventDefault();
  };
  const move = (e: PointerEvent) => {
    if (dragging) moveTo(dragging, e.clientX, e.clientY);
  };
  const up = () => {
    if (dragging) host.announce(`${LABELS[dragging]} moved to ${Math.round(corners[dragging].x)}, ${Math.round(corners[dragging].y)}.`);
    dragging = null;
  };
  const key = (e: KeyboardEvent) => {
    const name = (e.target as HTMLElement).closest<HTMLElement>('.corner')?.dataset.corner as CornerName | undefined;
    const step: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (name && e.key in step) {
      const f = frame();
      const [dx, dy] = step[e.key]!;
      const by = e.shiftKey ? 10 : 1;
      corners[name] = { x: clamp(corners[name].x + dx * by * f.sx, page.width), y: clamp(corners[name].y + dy * by * f.sy, page.height) };
      draw();
    } else if (e.key === 'Enter' && (e.target as HTMLElement).tagName !== 'BUTTON') editor.apply();
    else if (e.key === 'Escape') editor.cancel();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const resize = new ResizeObserver(draw);
  resize.observe(main);
  image.addEventListener('load', draw);
  layer.addEventListener('pointerdown', down);
  layer.addEventListener('pointermove', move);
  layer.addEventListener('pointerup', up);
  layer.addEventListener('keydown', key);

  let finish!: (value: DocumentCorners | null) => void;
  const done = new Promise<DocumentCorners | null>((resolve) => (finish = resolve));
  const end = (value: DocumentCorners | null) => {
    resize.disconnect();
    image.removeEventListener('load', draw);
    layer.remove();
    finish(value);
  };
  const editor: CornerEditor = {
    done,
    apply: () => end(structuredClone(corners)),
    cancel: () => end(null),
  };
  applyButton.addEventListener('click', () => editor.apply());
  cancelButton.addEventListener('click', () => editor.cancel());
  draw();
  handles.get('topLeft')!.focus({ preventScroll: true });
  host.announce('Drag the four corners onto the corners of the paper, then Apply; Escape cancels.');
  return editor;
}
