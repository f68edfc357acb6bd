/**
 * The selection rules of the viewer, as file managers have them: click
 * selects one page, Ctrl/Cmd-click toggles one, Shift-click selects the range
 * from the anchor (the last page clicked without Shift). Pure, so it is
 * tested without a browser.
 */
export interface SelectionState {
  /** Page ids in buffer order. */
  readonly order: readonly string[];
  readonly selected: ReadonlySet<string>;
  readonly anchor: string | null;
}

export type PickInput = { id: string; toggle?: boolean; range?: boolean };

export function pick(state: SelectionState, { id, toggle = false, range = false }: PickInput): { selected: Set<string>; anchor: string | null } {
  if (range && state.anchor !== null && state.order.includes(state.anchor)) {
    const a = state.order.indexOf(state.anchor);
    const b = state.order.indexOf(id);
    const [from, to] = a < b ? [a, b] : [b, a];
    const span = state.order.slice(from, to + 1);
    const selected = toggle ? new Set([...state.selected, ...span]) : new Set(span);
    return { selected, anchor: state.anchor };
  }
  if (toggle) {
    const selected = new Set(state.selected);
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    return { selected, anchor: id };
  }
  return { selected: new Set([id]), anchor: id };
}

/** Selected ids in buffer order (the order edits and saves use). */
export function inOrder(order: readonly string[], selected: ReadonlySet<string>): string[] {
  return order.filter((id) => selected.has(id));
}

/**
 * The index a page lands on when dropped before (or after) `target`: MoveImage
 * takes the final index, and taking the page out first shifts the pages
 * after it by one.
 */
export function dropIndex(order: readonly string[], dragged: string, target: string, after: boolean): number | null {
  const from = order.indexOf(dragged);
  const to = order.indexOf(target);
  if (from < 0 || to < 0) return null;
  let index = after ? to + 1 : to;
  if (from < index) index -= 1;
  return index === from ? null : index;
}
