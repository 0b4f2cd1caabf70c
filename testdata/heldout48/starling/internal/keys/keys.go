// Package keys builds the KV key names shared by the Starling edge worker and
// the backend services. Keys are colon-separated paths; identifiers supplied
// by users are escaped so that they never introduce a separator of their own.
package keys

import (
	"fmt"
	"strings"
	"time"
)

// Key is a KV key or key prefix.
type Key string

// Child appends a fixed path segment.
func (k Key) Child(seg string) Key {
	if k == "" {
		return Key(seg)
	}
	return k + ":" + Key(seg)
}

// With appends an identifier segment. Separators inside id are replaced.
func (k Key) With(id string) Key { return k.Child(strings.ReplaceAll(id, ":", "_")) }

// Day appends the UTC date bucket of t (2006-01-02).
func (k Key) Day(t time.Time) Key { return k.Child(t.UTC().Format("2006-01-02")) }

// Month appends the UTC month bucket of t (2006-01).
func (k Key) Month(t time.Time) Key { return k.Child(t.UTC().Format("2006-01")) }

// Shard returns shard n of k.
func (k Key) Shard(n int) Key { return Key(fmt.Sprintf("%s:%d", k, n)) }

// Prefix returns the key with a trailing separator, for list calls.
func (k Key) Prefix() string { return string(k) + ":" }

func (k Key) String() string { return string(k) }

// Episode identifies one episode of a show.
type Episode struct {
	Show string `json:"show"`
	ID   string `json:"id"`
}

func (e Episode) String() string { return Key("ep").With(e.Show).With(e.ID).String() }

// Key returns the episode's base key.
func (e Episode) Key() Key { return Key(e.String()) }
