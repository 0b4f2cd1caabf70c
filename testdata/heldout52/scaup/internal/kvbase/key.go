// Package kvbase is the Worker's adapter over the Workers KV binding.
package kvbase

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sep separates key parts.
const Sep = ":"

// Null is what the binding's GetString returns for a missing key: the
// syscall/js rendering of a JavaScript null.
const Null = "<null>"

// Key escapes each part and joins them with Sep. Empty parts are dropped so
// optional segments can be passed through unconditionally.
func Key(parts ...string) string {
	esc := make([]string, 0, len(parts))
	for _, p := range parts {
		if p == "" {
			continue
		}
		esc = append(esc, url.PathEscape(p))
	}
	return join(Sep, esc...)
}

func join(sep string, parts ...string) string {
	return strings.Join(parts, sep)
}

// Opaque encodes free text (emails, IPs, URLs) into a single key part.
func Opaque(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(strings.TrimSpace(s))))
}

// MinuteBucket names the minute that t falls in.
func MinuteBucket(t time.Time) string {
	return strconv.FormatInt(t.Unix()/60, 10)
}

// HourBucket names the UTC hour that t falls in.
func HourBucket(t time.Time) string {
	return t.UTC().Truncate(time.Hour).Format("2006010215")
}

// DayBucket names the UTC day that t falls in.
func DayBucket(t time.Time) string {
	return t.UTC().Truncate(24 * time.Hour).Format("20060102")
}
