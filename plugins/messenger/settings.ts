import { z } from 'zod'

export const messengerSettings = z.object({
  pageId: z.string().min(1),
  pageName: z.string().optional(),
  /** The token Meta echoes back when the webhook is registered. */
  verifyToken: z.string().min(8),
  /** Where the Graph API lives: Meta's, or a local stand-in in tests. */
  graphApiUrl: z.string().url().default('https://graph.facebook.com'),
  /** The page was granted the Human Agent permission: a person may answer for 7 days instead of 24 hours. */
  humanAgent: z.boolean().default(false),
  /** This app's id: echoes of messages it sent itself are already in the thread. */
  appId: z.string().max(32).optional(),
})
export type MessengerSettings = z.infer<typeof messengerSettings>
