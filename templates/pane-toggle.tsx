import type { FC } from 'hono/jsx'

/**
 * A button that opens or closes a side pane (static/app.js flips `aria-expanded` and the layout
 * class from `data-toggle-pane`). The navigation and the contact pane each have more than one,
 * placed where the layout leaves them reachable; they differ only in glyph, label and class.
 */
export const PaneToggle: FC<{ side: 'left' | 'right'; expanded: boolean; label: string; glyph: string; class?: string }> = (props) => (
  <button
    type="button"
    class={`icon-button ${props.class ?? 'pane-toggle'}`}
    data-toggle-pane={props.side}
    aria-controls={props.side === 'left' ? 'nav-pane' : 'contact-pane'}
    aria-expanded={props.expanded ? 'true' : 'false'}
    title={props.label}
    aria-label={props.label}
  >
    <span aria-hidden="true">{props.glyph}</span>
  </button>
)
