import type { Bindings } from '../env'
import { hostOf } from '../host'
import { t, withLocale } from '../i18n'
import type { Invitation } from './invitations'
import type { IssuedReset } from './password-resets'
import { composeLinkMail, queueSystemEmail, systemSender } from './system-email'

/** The invitation mail, in the language the invitation was made in, through the OUTBOUND queue. */
export async function sendInvitationMail(
  env: Bindings,
  baseUrl: string,
  input: { invitation: Invitation; token: string; inviterName: string; accountName: string },
) {
  const appName = env.APP_NAME ?? 'Switchboard'
  const mail = withLocale(input.invitation.locale, () => {
    const link = `${baseUrl}/invite/${input.token}`
    return {
      subject: t('invite.mail.subject', { workspace: input.accountName, app: appName }),
      ...composeLinkMail({
        intro: t('invite.mail.intro', { inviter: input.inviterName, workspace: input.accountName, app: appName }),
        action: t('invite.mail.action'),
        link,
        footer: t('invite.mail.footer'),
      }),
    }
  })
  await queueSystemEmail(hostOf(env).jobs, { from: systemSender(env, baseUrl), to: input.invitation.email, ...mail })
}

/** A reset mail in the account's language; it names the workspace, since an address can have several. */
export async function sendResetMail(env: Bindings, baseUrl: string, reset: IssuedReset) {
  const appName = env.APP_NAME ?? 'Switchboard'
  const mail = withLocale(reset.user.locale, () => ({
    subject: t('reset.mail.subject', { workspace: reset.accountName, app: appName }),
    ...composeLinkMail({
      intro: t('reset.mail.intro', { workspace: reset.accountName, email: reset.user.email }),
      action: t('reset.mail.action'),
      link: `${baseUrl}/reset/${reset.token}`,
      footer: t('reset.mail.footer'),
    }),
  }))
  await queueSystemEmail(hostOf(env).jobs, { from: systemSender(env, baseUrl), to: reset.user.email, toName: reset.user.name, ...mail })
}
