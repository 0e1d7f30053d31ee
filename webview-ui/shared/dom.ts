/**
 * Building a panel's DOM from data. Text goes in as text nodes, never through innerHTML, so a
 * run name or a robot's message can never become markup.
 */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
/** A custom element (vscode-button, vscode-checkbox, …) that the tag map does not know. */
export function el(tag: string, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElement;
export function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
