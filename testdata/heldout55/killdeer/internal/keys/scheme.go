// Package keys decides how logical record names become KV key strings. The
// scheme is picked from configuration at run time so that staging and
// production can share a namespace.
package keys

import "strings"

// KeyScheme maps a record kind and id to a KV key, and back to a prefix for
// listing all records of one kind.
type KeyScheme interface {
	Key(kind, id string) string
	Prefix(kind string) string
}

// Flat joins kind and id with a colon: "sess:abc".
type Flat struct{}

func (Flat) Key(kind, id string) string { return kind + ":" + id }
func (Flat) Prefix(kind string) string  { return kind + ":" }

// Prefixed puts an environment prefix in front: "kd/sess/abc".
type Prefixed struct{ Env string }

func (p Prefixed) Key(kind, id string) string { return p.Env + "/" + kind + "/" + id }
func (p Prefixed) Prefix(kind string) string  { return p.Env + "/" + kind + "/" }

// Lower is Prefixed with ids folded to lower case, for case-insensitive codes.
type Lower struct{ Prefixed }

func (l Lower) Key(kind, id string) string { return l.Prefixed.Key(kind, strings.ToLower(id)) }

var schemes = map[string]func(env string) KeyScheme{
	"flat":     func(string) KeyScheme { return Flat{} },
	"prefixed": func(env string) KeyScheme { return Prefixed{Env: env} },
	"lower":    func(env string) KeyScheme { return Lower{Prefixed{Env: env}} },
}

// For returns the scheme registered under name, or Prefixed.
func For(name, env string) KeyScheme {
	if mk, ok := schemes[name]; ok {
		return mk(env)
	}
	return Prefixed{Env: env}
}
