// Package campaign holds campaign-wide constants and the dispatcher that
// hands rendered mail to the provider.
package campaign

// ComplianceFooter is appended to every marketing message (CAN-SPAM, CASL and
// the EU ePrivacy rules all require a postal address and a working opt-out).
const ComplianceFooter = "You are receiving this email because you subscribed to updates from {{.SenderName}} " +
	"using the address {{.Email}}. If you no longer wish to receive these emails you can unsubscribe at any time " +
	"by following the link below, or by replying to this message with the word UNSUBSCRIBE in the subject line. " +
	"Unsubscribe requests are processed immediately and in any case within ten business days as required by law. " +
	"{{.SenderName}} will never sell, rent or share your email address with third parties for their own marketing. " +
	"For details on how your data is processed, including your rights of access, rectification and erasure under " +
	"the General Data Protection Regulation, please read the privacy notice at {{.PrivacyURL}}. " +
	"This message was sent on behalf of {{.SenderName}}, {{.PostalAddress}}, by Bufflehead Mail, " +
	"a service of Bufflehead Labs, 1200 Harbour Street, Suite 400, Victoria, BC V8W 1T6, Canada. " +
	"Bufflehead Mail processes bounces, complaints and unsubscribe requests automatically on behalf of the sender. " +
	"To report abuse, forward this message with full headers to abuse@bufflehead.io. " +
	"Manage your preferences: {{.PreferencesURL}} | Unsubscribe: {{.UnsubscribeURL}}"
