//go:build js && wasm

package checkin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"

	"github.com/confhub/puffin/internal/keys"
)

// ErrBadQR is returned for payloads that are not puffin badges.
var ErrBadQR = errors.New("checkin: unreadable badge")

// ParseQR verifies the payload printed on a badge and returns its key.
// The payload is "<event>.<badge>.<mac>", the MAC being a truncated
// HMAC-SHA256 of "<event>.<badge>" under the event signing secret.
func ParseQR(payload string, secret []byte) (keys.BadgeKey, error) {
	parts := strings.Split(strings.TrimSpace(payload), ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return keys.BadgeKey{}, ErrBadQR
	}
	want, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return keys.BadgeKey{}, ErrBadQR
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil)[:12], want) {
		return keys.BadgeKey{}, ErrBadQR
	}
	return keys.BadgeKey{Event: parts[0], ID: parts[1]}, nil
}

func signingSecret() []byte {
	return []byte(cloudflare.Getenv("BADGE_SIGNING_SECRET"))
}

// clientIP returns the address of the scanner as Cloudflare saw it.
func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// newID returns a random badge ID for walk-ins.
func newID() string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "W" + base64.RawURLEncoding.EncodeToString(b[:])
}
