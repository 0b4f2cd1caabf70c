// Package kvkey builds the key names relay stores in Workers KV. Keys are
// colon-separated and start with one of the roots below, so jobs and the
// export tool can find them by prefix.
package kvkey

import (
	"fmt"
	"path"
	"strings"
)

// Key is a KV key name.
type Key string

const sep = ":"

// Roots.
const (
	Workspaces Key = "ws"
	Slugs      Key = "slug"
	Invites    Key = "invite"
	Channels   Key = "chan"
	Presence   Key = "presence"
	Sessions   Key = "sess"
	Devices    Key = "device"
	Previews   Key = "preview"
)

// New joins parts with the key separator.
func New(parts ...string) Key { return Key(strings.Join(parts, sep)) }

// Child returns k extended by parts.
func (k Key) Child(parts ...string) Key {
	if len(parts) == 0 {
		return k
	}
	return Key(string(k) + sep + strings.Join(parts, sep))
}

// String returns the key as sent to KV.
func (k Key) String() string { return string(k) }

// Prefix returns the list prefix matching every child of k.
func (k Key) Prefix() string { return string(k) + sep }

// Last returns the final segment.
func (k Key) Last() string {
	s := string(k)
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Scoped returns a builder for keys under root in one workspace:
// Scoped(Channels, "w1")("general", "members") == "chan:w1:general:members".
func Scoped(root Key, workspaceID string) func(parts ...string) Key {
	base := root.Child(workspaceID)
	return func(parts ...string) Key { return base.Child(parts...) }
}

// User returns the per-user key under root.
func User(root Key, userID string) Key {
	return Key(fmt.Sprintf("%s:u:%s", root, userID))
}

// Blob returns a slash-separated key for large, versioned documents (edit
// history, exports). These never collide with the colon keys.
func Blob(kind string, parts ...string) Key {
	return Key(path.Join(append([]string{"blob", kind}, parts...)...))
}
