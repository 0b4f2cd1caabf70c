package httpx

// Page tokens turn storage list cursors into opaque API page tokens. A
// token binds the cursor to the listing it came from so a client cannot
// replay a cursor against a different prefix.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// ErrBadPageToken is returned for tokens that do not decode or do not match.
var ErrBadPageToken = errors.New("httpx: invalid page token")

type token struct {
	Cursor string `json:"c"`
	Scope  string `json:"s"`
}

// EncodePageToken wraps cursor for the listing identified by scope. An empty cursor
// yields an empty token, meaning "no more pages".
func EncodePageToken(scope, cursor string) string {
	if cursor == "" {
		return ""
	}
	b, _ := json.Marshal(token{Cursor: cursor, Scope: scope})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodePageToken returns the cursor inside tok, checking it belongs to scope. An
// empty token decodes to an empty cursor (first page).
func DecodePageToken(scope, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", ErrBadPageToken
	}
	var t token
	if err := json.Unmarshal(b, &t); err != nil || t.Scope != scope || t.Cursor == "" {
		return "", ErrBadPageToken
	}
	return t.Cursor, nil
}
