package kvstore

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path"
	"strings"
)

// DeviceKey returns "dev/<fleet>/<serial>/<leaf>" with the variable parts
// escaped so that a serial containing '/' cannot move into another folder.
func DeviceKey(fleet, serial, leaf string) string {
	var b strings.Builder
	b.Grow(len(fleet) + len(serial) + len(leaf) + 8)
	b.WriteString("dev/")
	b.WriteString(url.PathEscape(fleet))
	b.WriteByte('/')
	b.WriteString(url.PathEscape(serial))
	if leaf != "" {
		b.WriteByte('/')
		b.WriteString(leaf)
	}
	return b.String()
}

// FleetPrefix is the folder holding all devices of a fleet.
func FleetPrefix(fleet string) string {
	return "dev/" + url.PathEscape(fleet) + "/"
}

// Join joins key segments with '/'.
func Join(parts ...string) string { return strings.Join(parts, "/") }

// Folder joins segments like a path and ends the result with '/', so that
// it can be used as a list prefix.
func Folder(parts ...string) string { return path.Join(parts...) + "/" }

// EmailHash returns a stable, non-reversible key part for an e-mail
// address.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// TokenHash hashes a bearer secret for use in a key.
func TokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:16])
}
