// Package flags reads feature flags that product toggles from the dashboard.
package flags

import (
	"strconv"
	"sync"

	"example.com/shortlinks/internal/keys"
)

// Source returns the raw flag value stored under key.
type Source interface {
	Value(key string) (string, error)
}

// Flags evaluates boolean flags with compiled-in defaults.
type Flags struct {
	src      Source
	mu       sync.Mutex
	defaults map[string]bool
}

func New(src Source, defaults map[string]bool) *Flags {
	return &Flags{src: src, defaults: defaults}
}

// String returns the value of a string flag such as an interstitial variant,
// or def when it is unset or unreadable.
func (f *Flags) String(name, def string) string {
	v, err := f.src.Value(keys.FlagPrefix + name)
	if err != nil {
		return def
	}
	if len(v) == 0 { // EXPECT kvnull
		return def
	}
	return v
}

// Enabled reports whether a boolean flag is on.
func (f *Flags) Enabled(name string) bool {
	f.mu.Lock()
	def := f.defaults[name]
	f.mu.Unlock()
	on, err := strconv.ParseBool(f.String(name, strconv.FormatBool(def)))
	if err != nil {
		return def
	}
	return on
}

// MapSource is a fixed Source for tests and local development.
type MapSource map[string]string

func (m MapSource) Value(key string) (string, error) { return m[key], nil }
