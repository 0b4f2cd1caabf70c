// Package pagetoken turns storage cursors into opaque API page tokens.
package pagetoken

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// ErrInvalid is returned for tokens this package did not produce.
var ErrInvalid = errors.New("pagetoken: invalid token")

type token struct {
	V      int    `json:"v"`
	Cursor string `json:"c"`
	Scope  string `json:"s"`
}

// Encode wraps a storage cursor for a listing scope. An empty cursor gives
// an empty token, which clients read as "no more pages".
func Encode(scope, cursor string) string {
	if cursor == "" {
		return ""
	}
	raw, _ := json.Marshal(token{V: 1, Cursor: cursor, Scope: scope})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Decode unwraps a token produced by Encode for the same scope. The empty
// token decodes to the empty cursor (first page).
func Decode(scope, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", ErrInvalid
	}
	var t token
	if err := json.Unmarshal(raw, &t); err != nil || t.V != 1 || t.Scope != scope {
		return "", ErrInvalid
	}
	return t.Cursor, nil
}
