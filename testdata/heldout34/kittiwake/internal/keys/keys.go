// Package keys owns kittiwake's KV key layout. Every record kind has a prefix
// and a default lifetime; all keys are built here so the layout stays in one
// place.
package keys

import (
	"strings"
	"time"
)

// Kind is the kind of record stored under a key.
type Kind uint8

const (
	KindUnknown Kind = iota
	KindSession
	KindRefresh
	KindOTP
	KindLobby
	KindLobbyCode
	KindSeatHold
	KindTicket
	KindPresence
	KindProfile
	KindName
	KindQuest
	KindQuestProgress
	KindLeaderboard
	KindRate
)

// String returns the kind's name as used in logs.
func (k Kind) String() string {
	if k == KindUnknown {
		return "unknown"
	}
	return strings.TrimSuffix(k.Prefix(), ":")
}

// Prefix returns the key prefix of the kind, including its trailing colon.
func (k Kind) Prefix() string {
	switch k {
	case KindSession:
		return "sess:"
	case KindRefresh:
		return "refresh:"
	case KindOTP:
		return "otp:"
	case KindLobby:
		return "lobby:"
	case KindLobbyCode:
		return "lobbycode:"
	case KindSeatHold:
		return "seat:"
	case KindTicket:
		return "mm:ticket:"
	case KindPresence:
		return "presence:"
	case KindProfile:
		return "profile:"
	case KindName:
		return "name:"
	case KindQuest:
		return "quest:"
	case KindQuestProgress:
		return "qprog:"
	case KindLeaderboard:
		return "lb:"
	case KindRate:
		return "ratelimit:"
	}
	return "misc:"
}

// TTL returns the default lifetime of the kind. Zero means the record does
// not expire on its own.
func (k Kind) TTL() time.Duration {
	switch k {
	case KindSession:
		return 24 * time.Hour
	case KindRefresh:
		return 30 * 24 * time.Hour
	case KindOTP:
		return 10 * time.Minute
	case KindLobby, KindLobbyCode:
		return 2 * time.Hour
	case KindSeatHold:
		return 40 * time.Second
	case KindTicket:
		return 90 * time.Second
	case KindPresence:
		return 5 * time.Minute
	case KindProfile:
		return time.Hour
	case KindQuest:
		return 26 * time.Hour
	case KindQuestProgress:
		return 48 * time.Hour
	case KindRate:
		return 2 * time.Minute
	}
	return 0
}

// Key builds a key of this kind from parts.
func (k Kind) Key(parts ...string) string {
	return k.Prefix() + Key(parts...)
}

// Key joins key parts with colons.
func Key(parts ...string) string {
	return strings.Join(parts, ":")
}

// Prefixed returns a key builder bound to prefix.
func Prefixed(prefix string) func(parts ...string) string {
	return func(parts ...string) string {
		return prefix + Key(parts...)
	}
}

// Day formats t as the UTC calendar day used in daily keys.
func Day(t time.Time) string {
	return t.UTC().Format("20060102")
}

// Trim removes the kind's prefix from a listed key name.
func (k Kind) Trim(name string) string {
	return strings.TrimPrefix(name, k.Prefix())
}
