package storage

import (
	"encoding/base64"
	"errors"
	"strings"
)

// Page tokens are what API clients see instead of raw backend cursors; the
// version prefix lets the cursor source change without breaking clients.
const tokenVersion = "v1."

// ErrBadPageToken is returned for tokens that were not issued by EncodePageToken.
var ErrBadPageToken = errors.New("storage: malformed page token")

// EncodePageToken turns a backend cursor into an opaque API page token.
func EncodePageToken(cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(tokenVersion + cursor))
}

// DecodePageToken reverses EncodePageToken; "" means the first page.
func DecodePageToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	cursor, ok := strings.CutPrefix(string(raw), tokenVersion)
	if err != nil || !ok || cursor == "" {
		return "", ErrBadPageToken
	}
	return cursor, nil
}

// NextToken is the page token for the page after p, or "" when p is the last.
func NextToken(p ListPage) string {
	if p.Complete {
		return ""
	}
	return EncodePageToken(p.Cursor)
}
