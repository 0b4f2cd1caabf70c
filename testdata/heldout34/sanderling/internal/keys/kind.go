// Package keys defines the KV key layout shared by the edge Worker and the
// back-office jobs. Every record kind maps to a key prefix and a default
// lifetime; callers build keys with Kind.Key rather than by hand so that the
// layout stays in one place.
package keys

import (
	"strings"
	"time"
)

// Sep separates the parts of a key.
const Sep = ":"

// Kind identifies a family of KV records.
type Kind int

const (
	KindTicket Kind = iota
	KindTicketNotes
	KindTranscript
	KindConversationIndex
	KindVisitorSession
	KindAgentSession
	KindRefreshToken
	KindOTP
	KindOTPAttempts
	KindCSRF
	KindCanned
	KindShortcut
	KindCannedUsage
	KindWidgetConfig
	KindWidgetTheme
	KindTyping
	KindResendCooldown
	KindMsgRateLimit
	KindSLATimer
	KindSLAPolicy
	KindLock
)

var kindNames = [...]string{
	KindTicket: "ticket", KindTicketNotes: "ticket_notes", KindTranscript: "transcript",
	KindConversationIndex: "conversation_index", KindVisitorSession: "visitor_session",
	KindAgentSession: "agent_session", KindRefreshToken: "refresh_token", KindOTP: "otp",
	KindOTPAttempts: "otp_attempts", KindCSRF: "csrf", KindCanned: "canned", KindShortcut: "shortcut",
	KindCannedUsage: "canned_usage", KindWidgetConfig: "widget_config", KindWidgetTheme: "widget_theme",
	KindTyping: "typing", KindResendCooldown: "resend_cooldown", KindMsgRateLimit: "msg_rate_limit",
	KindSLATimer: "sla_timer", KindSLAPolicy: "sla_policy", KindLock: "lock",
}

// String returns the kind's name as used in logs and metrics.
func (k Kind) String() string {
	switch {
	case k < 0 || int(k) >= len(kindNames):
		return "unknown"
	default:
		return kindNames[k]
	}
}

// Prefix returns the first key segment for records of this kind.
func (k Kind) Prefix() string {
	switch k {
	case KindTicket:
		return "tkt"
	case KindTicketNotes:
		return "tkt-notes"
	case KindTranscript:
		return "chat"
	case KindConversationIndex:
		return "chat-idx"
	case KindVisitorSession:
		return "vsess"
	case KindAgentSession:
		return "asess"
	case KindRefreshToken:
		return "rtok"
	case KindOTP:
		return "otp"
	case KindOTPAttempts:
		return "otp-attempts"
	case KindCSRF:
		return "csrf"
	case KindCanned:
		return "canned"
	case KindShortcut:
		return "shortcut"
	case KindCannedUsage:
		return "canned-uses"
	case KindWidgetConfig:
		return "wcfg"
	case KindTyping:
		return "typing"
	case KindResendCooldown:
		return "code-resend"
	case KindMsgRateLimit:
		return "ratelimit:msg"
	case KindSLATimer:
		return "sla"
	case KindSLAPolicy:
		return "sla-policy"
	case KindLock:
		return "lock"
	}
	return ""
}

// TTL returns the default lifetime of records of this kind. Zero means the
// record does not expire on its own.
func (k Kind) TTL() time.Duration {
	switch k {
	case KindTicket:
		return 10 * time.Minute
	case KindTranscript, KindConversationIndex:
		return 7 * 24 * time.Hour
	case KindVisitorSession:
		return 30 * time.Minute
	case KindAgentSession:
		return 12 * time.Hour
	case KindRefreshToken:
		return 30 * 24 * time.Hour
	case KindOTP, KindOTPAttempts:
		return 10 * time.Minute
	case KindCSRF:
		return 2 * time.Hour
	case KindCanned:
		return time.Hour
	case KindWidgetConfig:
		return 5 * time.Minute
	case KindTyping:
		return 20 * time.Second
	case KindResendCooldown:
		return 45 * time.Second
	case KindMsgRateLimit:
		return time.Minute
	case KindLock:
		return 2 * time.Minute
	}
	return 0
}

// Key builds a key of this kind from the given id parts.
func (k Kind) Key(parts ...string) string {
	return Key(append([]string{k.Prefix()}, parts...)...)
}

// Key joins non-empty parts with Sep.
func Key(parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, Sep)
}
