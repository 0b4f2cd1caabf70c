// Package keynames builds key names and uses no KV itself: its text
// reaches its callers' keys from the syntax alone.
package keynames

import (
	"fmt"
	"strings"
)

// Views is the key of a post's view count.
func Views(writer, post string) string { return fmt.Sprintf("views:%s:%s", writer, post) }

// Draft is the key of a writer's draft.
func Draft(writer string) string { return "draft:" + strings.ToLower(writer) }

// Visits is the key of a writer's visit count for a day, built piece by
// piece.
func Visits(writer, day string) string {
	var b strings.Builder
	b.WriteString("visits/")
	b.WriteString(writer)
	b.WriteByte('/')
	b.WriteString(day)
	return b.String()
}

// Prefix is the constant start of a family of keys.
type Prefix string

const APIKeys Prefix = "auth:apikey:"

// With is the key of id under p.
func (p Prefix) With(id string) string { return string(p) + id }

// APIKey is the key of a project API key, by the hash of its secret.
type APIKey struct{ Hash string }

func (k APIKey) String() string { return APIKeys.With(k.Hash) }

// Badge is the key of a project's badge.
type Badge struct{ Project string }

func (k Badge) String() string { return "badge:" + k.Project }

// Keys builds the keys of one tenant, as methods.
type Keys struct{ Tenant string }

func (k Keys) MagicLink(code string) string { return k.Tenant + "/magic/" + code }
func (k Keys) OAuthState(s string) string   { return k.Tenant + "/oauth/" + s }
func (k Keys) Avatar(user string) string    { return k.Tenant + "/avatar/" + user }
