package kvstore

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
)

// Key is a Workers KV key. Segments are joined with ':'.
type Key string

// Child returns k extended by one segment.
func (k Key) Child(seg string) Key {
	if k == "" {
		return Key(seg)
	}
	return k + ":" + Key(seg)
}

// Escaped is Child for a segment that comes from a request and may contain ':'.
func (k Key) Escaped(seg string) Key { return k.Child(url.PathEscape(seg)) }

// Hash keys a binary identifier such as a SHA-256 digest.
func (k Key) Hash(b []byte) Key { return k.Child(base64.RawURLEncoding.EncodeToString(b)) }

// Versioned returns k with an "@v<n>" suffix, used for records whose encoding changed.
func (k Key) Versioned(n int) Key {
	b := append([]byte(k), "@v"...)
	return Key(strconv.AppendInt(b, int64(n), 10))
}

// Last returns the final segment of k.
func (k Key) Last() string {
	s := string(k)
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TrimPrefix removes p from the front of k.
func (k Key) TrimPrefix(p Key) Key { return Key(strings.TrimPrefix(string(k), string(p))) }

func (k Key) String() string { return string(k) }
