// Package kvkeys defines the key layout of the portal's KV namespaces.
//
// Keys are "/"-separated. Every caller-supplied part is path-escaped so that an
// identifier containing "/" cannot reach into another tenant's subtree.
package kvkeys

import (
	"encoding/base64"
	"net/url"
	"time"
)

// Sep separates key parts.
const Sep = "/"

// Key escapes each part and joins the non-empty ones with Sep.
func Key(parts ...string) string {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = url.PathEscape(p)
	}
	return join(Sep, esc...)
}

// Raw joins parts with Sep without escaping them. Use it for constant parts
// and for parts that were escaped already.
func Raw(parts ...string) string { return join(Sep, parts...) }

// Prefix is Key with a trailing separator, for list prefixes.
func Prefix(parts ...string) string { return Key(parts...) + Sep }

func join(sep string, parts ...string) string {
	out := make([]byte, 0, 96)
	n := 0
	for _, p := range parts {
		if p == "" {
			continue
		}
		if n > 0 {
			out = append(out, sep...)
		}
		out = append(out, p...)
		n++
	}
	return string(out)
}

// Opaque encodes a value that may contain any byte (e-mail addresses, IPv6
// zones, free text) as a single key part.
func Opaque(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Bucket returns t truncated to d, formatted for use as a key part.
func Bucket(t time.Time, d time.Duration) string {
	return t.UTC().Truncate(d).Format("20060102T1504")
}

// Keys names the per-environment key families of the portal namespace.
// Its methods are plain value methods so that they can be stored as method
// expressions (Keys.Session) in tables.
type Keys struct {
	Env string
}

func (k Keys) Session(id string) string        { return Key(k.Env, "sess", id) }
func (k Keys) UserSessions(user string) string { return Prefix(k.Env, "usess", user) }
func (k Keys) UserSession(user, id string) string {
	return Key(k.Env, "usess", user, id)
}
func (k Keys) MagicLink(code string) string   { return Key(k.Env, "magic", code) }
func (k Keys) OAuthState(state string) string { return Key(k.Env, "oauth", state) }
func (k Keys) CSRF(sessionID string) string   { return Key(k.Env, "csrf", sessionID) }
func (k Keys) Revoked(tokenID string) string  { return Key(k.Env, "revoked", tokenID) }
func (k Keys) Branding(tenantID string) string {
	return Key(k.Env, "branding", tenantID)
}
