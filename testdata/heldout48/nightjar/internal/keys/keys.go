// Package keys builds the KV key names used by the invoicing services.
// Keys are colon-separated paths built from a root with Child and With.
package keys

import (
	"fmt"
	"strings"
	"time"
)

// Key is a KV key or key prefix.
type Key string

// Child appends one or more path segments.
func (k Key) Child(parts ...string) Key {
	if len(parts) == 0 {
		return k
	}
	return Key(string(k) + ":" + strings.Join(parts, ":"))
}

// With appends an identifier segment: tenants.With(id).Child("settings").
func (k Key) With(id string) Key { return k.Child(id) }

// Prefix returns the key followed by the separator, for list calls.
func (k Key) Prefix() string { return string(k) + ":" }

func (k Key) String() string { return string(k) }

// Shard returns base:n. Shards spread a logical key over several KV keys.
func Shard(base Key, n int) Key { return Key(fmt.Sprintf("%s:%d", base, n)) }

// DayKey is a date-bucketed key: <base>:<yyyy-mm-dd>[:<shard>].
type DayKey struct {
	Base  Key
	Day   time.Time
	Shard int // -1 for unsharded
}

// Today returns an unsharded DayKey for the current UTC day.
func Today(base Key) DayKey { return DayKey{Base: base, Day: time.Now().UTC(), Shard: -1} }

func (d DayKey) String() string {
	s := fmt.Sprintf("%s:%s", d.Base, d.Day.UTC().Format("2006-01-02"))
	if d.Shard >= 0 {
		s = fmt.Sprintf("%s:%d", s, d.Shard)
	}
	return s
}

// InvoiceRef identifies an invoice within a tenant.
type InvoiceRef struct {
	Tenant string
	ID     string
}

func (r InvoiceRef) String() string { return fmt.Sprintf("t:%s:inv:%s", r.Tenant, r.ID) }

// Child returns a key below the invoice document.
func (r InvoiceRef) Child(part string) Key { return Key(r.String()).Child(part) }
