/**
 * Registers one element under its tag unless the tag is taken (a second copy of the kit on the
 * page, or an app's own element), so importing twice never throws. Its own module, importing no
 * element, so the one-element entries (`flock-kit/chat` …) pull in only their own element.
 */
export function defineFlockElement(tag: string, element: CustomElementConstructor, registry: CustomElementRegistry = customElements): void {
  if (!registry.get(tag)) registry.define(tag, element);
}
