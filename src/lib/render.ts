import type { JSX } from 'hono/jsx/jsx-runtime'

/** Renders a hono/jsx element to a string (for sockets, where there is no Response). */
export async function renderHtml(element: JSX.Element): Promise<string> {
  return (await element.toString()).toString()
}
