import { z } from 'zod'

/**
 * Chatflows: declarative bots for live chat. A flow is data — steps that say something, offer
 * buttons, collect a name or an email, and hand the visitor to a team member — and `advance` is a
 * pure function from (flow, where the visitor is, what they wrote) to what happens next. The core
 * (services/chatflows.ts) stores the replies and the progress; this file writes nothing.
 *
 * @example
 * defineChatflow({ id: 'hello', name: 'Hello bot', start: 'ask', steps: {
 *   ask: { say: 'Name?', collect: 'name', next: 'bye' },
 *   bye: { say: 'Thanks {{name}}, a person will take over.', handoff: true },
 * } })
 */
const stepSchema = z.object({
  say: z.string().min(1).max(1000),
  buttons: z
    .array(z.object({ label: z.string().min(1).max(60), next: z.string() }))
    .max(6)
    .optional(),
  collect: z.enum(['name', 'email']).optional(),
  next: z.string().optional(),
  handoff: z.boolean().optional(),
  end: z.boolean().optional(),
})
export const chatflowSchema = z
  .object({ id: z.string().regex(/^[a-z0-9-]+$/), name: z.string().min(1).max(60), start: z.string(), steps: z.record(z.string(), stepSchema) })
  .superRefine((flow, ctx) => {
    // Every step a flow can reach must exist: a typo would strand a visitor.
    const targets = [flow.start, ...Object.values(flow.steps).flatMap((step) => [step.next, ...(step.buttons ?? []).map((button) => button.next)])]
    for (const target of targets) if (target && !flow.steps[target]) ctx.addIssue({ code: 'custom', message: `No step called "${target}"` })
  })
export type Chatflow = z.infer<typeof chatflowSchema>
export type ChatflowStep = z.infer<typeof stepSchema>

export const defineChatflow = (flow: Chatflow): Chatflow => chatflowSchema.parse(flow)

export const welcomeFlow = defineChatflow({
  id: 'welcome',
  name: 'Welcome bot',
  start: 'hello',
  steps: {
    hello: {
      say: 'Hi! I am the Northwind assistant. What can I help you with?',
      buttons: [
        { label: 'Where is my order?', next: 'order' },
        { label: 'Returns', next: 'returns' },
        { label: 'Talk to a person', next: 'name' },
      ],
    },
    order: {
      say: 'You can follow every order under Account → Orders, with its tracking link. Would you like to talk to a person?',
      buttons: [
        { label: 'Yes, please', next: 'name' },
        { label: 'No, thanks', next: 'bye' },
      ],
    },
    returns: {
      say: 'Returns are free within 30 days: start one under Account → Returns and print the label. Would you like to talk to a person?',
      buttons: [
        { label: 'Yes, please', next: 'name' },
        { label: 'No, thanks', next: 'bye' },
      ],
    },
    name: { say: 'Sure. What is your name?', collect: 'name', next: 'email' },
    email: { say: 'Thanks, {{name}}. And your email address, in case we get cut off?', collect: 'email', next: 'handoff' },
    handoff: { say: 'Got it. I am passing you to a team member now; they will answer here.', handoff: true },
    bye: { say: 'Glad I could help. Write again any time!', end: true },
  },
})

export const chatflows: readonly Chatflow[] = [welcomeFlow]

export function findChatflow(id: string | undefined | null): Chatflow | undefined {
  return chatflows.find((flow) => flow.id === id)
}

export interface BotReply {
  text: string
  buttons?: string[]
}

export interface Advance {
  replies: BotReply[]
  stepId: string
  collected: Record<string, string>
  handoff: boolean
}

const fill = (text: string, collected: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => collected[key] ?? 'there')

const emailSchema = z.string().trim().email().max(254)

/** Says a step and, if it waits for nothing, carries on to the next one. */
function enter(flow: Chatflow, stepId: string, collected: Record<string, string>, replies: BotReply[]): Advance {
  let current = stepId
  // A chain of plain steps ends at one that waits (buttons, a question) or finishes; the bound
  // keeps a looping flow from spinning.
  for (let hops = 0; hops < 20; hops++) {
    const step = flow.steps[current]!
    replies.push({ text: fill(step.say, collected), ...(step.buttons ? { buttons: step.buttons.map((button) => button.label) } : {}) })
    if (step.handoff) return { replies, stepId: current, collected, handoff: true }
    if (step.buttons || step.collect || step.end || !step.next) return { replies, stepId: current, collected, handoff: false }
    current = step.next
  }
  return { replies, stepId: current, collected, handoff: true }
}

/**
 * One turn of a flow. `at` is null for a new conversation (the visitor's first message starts
 * the flow); otherwise the visitor's text answers the step they are at.
 */
export function advance(flow: Chatflow, at: { stepId: string; collected: Record<string, string> } | null, visitorText: string): Advance {
  if (!at) return enter(flow, flow.start, {}, [])
  const step = flow.steps[at.stepId]
  const collected = { ...at.collected }
  if (!step || step.end || step.handoff) return { replies: [], stepId: at.stepId, collected, handoff: Boolean(step?.handoff) }
  const text = visitorText.trim()
  if (step.buttons) {
    const chosen = step.buttons.find((button) => button.label.toLowerCase() === text.toLowerCase())
    if (!chosen)
      return {
        replies: [{ text: 'Please choose one of the options.', buttons: step.buttons.map((button) => button.label) }],
        stepId: at.stepId,
        collected,
        handoff: false,
      }
    return enter(flow, chosen.next, collected, [])
  }
  if (step.collect === 'email') {
    const email = emailSchema.safeParse(text)
    if (!email.success)
      return { replies: [{ text: 'That does not look like an email address. Could you check it?' }], stepId: at.stepId, collected, handoff: false }
    collected.email = email.data
  } else if (step.collect === 'name') {
    collected.name = text.slice(0, 120)
  }
  return step.next ? enter(flow, step.next, collected, []) : { replies: [], stepId: at.stepId, collected, handoff: false }
}
