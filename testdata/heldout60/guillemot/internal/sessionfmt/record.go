// Package sessionfmt is the stored form of a forum session, shared by the
// account service that writes sessions and the edge Worker that reads them.
package sessionfmt

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// KeyPrefix is the prefix of every session key. Keys look like
// "sess:<account id>.<random>", so that one account's sessions can be listed.
const KeyPrefix = "sess:"

// Record is the JSON value stored under a session key.
type Record struct {
	Account string         `json:"uid"`
	Values  map[string]any `json:"values"`
	Created time.Time      `json:"created"`
	Expires time.Time      `json:"expires,omitzero"`
}

// Key returns the KV key of session id.
func Key(id string) string { return KeyPrefix + id }

// AccountPrefix is the key prefix of all sessions of one account.
func AccountPrefix(uid string) string { return KeyPrefix + uid + "." }

// NewID returns a fresh session ID for the account.
func NewID(uid string) string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return uid + "." + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// FromValues converts gorilla's session values to the stored form. Only
// string keys are kept.
func FromValues(values map[any]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		if s, ok := k.(string); ok {
			out[s] = v
		}
	}
	return out
}

// ToValues is the inverse of FromValues.
func ToValues(stored map[string]any) map[any]any {
	out := make(map[any]any, len(stored))
	for k, v := range stored {
		out[k] = v
	}
	return out
}

// Decode parses a stored record.
func Decode(raw []byte) (Record, error) {
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Record{}, fmt.Errorf("session record: %w", err)
	}
	return rec, nil
}
