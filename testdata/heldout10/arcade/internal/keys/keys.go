// Package keys is the single place where KV key layouts are written down.
// Every key is "<prefix><id>" unless noted otherwise.
package keys

import "strings"

const (
	Session    = "sess:"
	MagicLink  = "magic:"
	OAuthState = "oauth-state:"
	Refresh    = "refresh:"
	Revoked    = "revoked-jti:"
	CSRF       = "csrf:"

	Lobby     = "lobby:"
	LobbyName = "lobby-name:"
	Presence  = "presence:"

	Profile = "profile:"
	Prefs   = "prefs:"
	Recent  = "recent:"

	Ticket = "mm:ticket:"
	Pool   = "mm:pool:"
	Match  = "mm:match:"

	Challenge = "challenge:"
)

// Builder assembles colon separated keys: keys.New("challenge").Add(day, slot).
type Builder struct {
	parts []string
}

func New(prefix string) Builder {
	return Builder{parts: []string{strings.TrimSuffix(prefix, ":")}}
}

func (b Builder) Add(parts ...string) Builder {
	next := make([]string, 0, len(b.parts)+len(parts))
	next = append(next, b.parts...)
	next = append(next, parts...)
	return Builder{parts: next}
}

func (b Builder) String() string { return strings.Join(b.parts, ":") }

// Day formats a UTC day the way every dated key does.
func Day(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }
