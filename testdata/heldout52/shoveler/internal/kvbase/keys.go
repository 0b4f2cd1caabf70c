// Package kvbase holds the shared pieces of every KV-backed store: key
// construction, typed errors, metrics and (in the Worker build) the generic
// Table base that concrete stores embed.
package kvbase

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// Sep separates key segments. Each segment is path-escaped.
const Sep = ":"

// Key joins parts into a KV key, escaping each part.
func Key(parts ...string) string {
	return join(Sep, parts...)
}

func join(sep string, parts ...string) string {
	esc := make([]string, 0, len(parts))
	for _, p := range parts {
		if p == "" {
			continue
		}
		esc = append(esc, url.PathEscape(p))
	}
	return strings.Join(esc, sep)
}

// Opaque encodes free text (display names, e-mail addresses) so it can be used
// as a key segment without case or punctuation surprises.
func Opaque(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(strings.TrimSpace(s))))
}

// Keys builds the well-known key shapes for one tenant. Its methods are also
// used as method expressions (Keys.Session) where a key function is needed.
type Keys struct {
	Tenant string
}

func (k Keys) Session(id string) string    { return Key(k.Tenant, "sess", id) }
func (k Keys) Refresh(id string) string    { return Key(k.Tenant, "refresh", id) }
func (k Keys) Room(id string) string       { return Key(k.Tenant, "room", id) }
func (k Keys) RoomName(name string) string { return Key(k.Tenant, "roomname", Opaque(name)) }
func (k Keys) Invite(code string) string   { return Key(k.Tenant, "invite", code) }
func (k Keys) Nonce(n string) string       { return Key(k.Tenant, "csrf", n) }
func (k Keys) Magic(t string) string       { return Key(k.Tenant, "magic", t) }
func (k Keys) OAuthState(s string) string  { return Key(k.Tenant, "oauth", "state", s) }
func (k Keys) Profile(player string) string {
	return Key(k.Tenant, "profile", player)
}

// Prefix returns the list prefix for a kind, including the trailing separator.
func (k Keys) Prefix(kind ...string) string {
	return Key(append([]string{k.Tenant}, kind...)...) + Sep
}
