//! A small typed element builder, so screens read as a tree instead of a page of
//! createElement calls. `testid` becomes `data-testid`, the hook the UI tests use.

type AttrValue = string | number | boolean | undefined;

export interface Attrs {
  readonly class?: string;
  readonly testid?: string;
  readonly [name: string]: AttrValue;
}

export type Child = Node | string;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    const attr = name === "testid" ? "data-testid" : name;
    el.setAttribute(attr, value === true ? "" : String(value));
  }
  el.append(...children);
  return el;
}

/** A push button that never submits a form by accident. */
export function button(attrs: Attrs, onPress: () => void): HTMLButtonElement {
  const el = h("button", { type: "button", ...attrs });
  el.addEventListener("click", onPress);
  return el;
}
