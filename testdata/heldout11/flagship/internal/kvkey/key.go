// Package kvkey builds the KV key layout shared by every component, e.g.
// flag/<env>/<flag>, manifest/<env>, session/<id>, audit/<day>/<id>.
package kvkey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"time"
)

// Key is a slash-separated KV key.
type Key string

// Common roots.
const (
	Flags    Key = "flag"
	Manifest Key = "manifest"
	Sessions Key = "session"
	SDKKeys  Key = "sdkkey"
	Audit    Key = "audit"
	Segments Key = "segment"
	Projects Key = "project"
)

// Child appends path elements, skipping empty ones.
func (k Key) Child(parts ...string) Key {
	elems := []string{string(k)}
	for _, p := range parts {
		if p != "" {
			elems = append(elems, p)
		}
	}
	return Key(strings.Join(elems, "/"))
}

func (k Key) String() string { return string(k) }

// Prefix returns the list prefix for keys under k.
func (k Key) Prefix() string { return string(k) + "/" }

// Base returns the last element.
func (k Key) Base() string { return path.Base(string(k)) }

// Flag returns the key of a flag definition in an environment.
func Flag(env, name string) Key { return Flags.Child(env, name) }

// EnvManifest returns the manifest key for an environment.
func EnvManifest(env string) Key { return Manifest.Child(env) }

// Day formats t as the day bucket used by audit and usage keys.
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// Hash returns the hex SHA-256 of s; secrets are stored under their hash.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// NewID returns 16 random bytes, hex encoded.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
