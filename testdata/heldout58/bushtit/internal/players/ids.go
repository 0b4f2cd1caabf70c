// Package players owns player profiles, login sessions and the tokens that go
// with them.
package players

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/arcadia-games/bushtit/internal/kvstore"
)

// PlayerID is a stable player identifier ("p_" + 20 chars).
type PlayerID string

func (id PlayerID) MarshalText() ([]byte, error) {
	if !strings.HasPrefix(string(id), "p_") {
		return nil, fmt.Errorf("players: malformed id %q", string(id))
	}
	return []byte(id), nil
}

// SessionID is the opaque value of the session cookie.
type SessionID string

// String returns the KV key of the session.
func (s SessionID) String() string { return "sess:" + string(s) }

// RefreshToken is a long-lived token exchanged for new sessions.
type RefreshToken string

func (t RefreshToken) String() string { return "refresh:" + string(t) }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func profileKey(id PlayerID) string {
	txt, err := id.MarshalText()
	if err != nil {
		txt = []byte("invalid")
	}
	return "profile:" + string(txt)
}

// rec is a raw write: key, value and lifetime in seconds.
type rec struct {
	key string
	val []byte
	ttl int
}

func (r rec) write(ctx context.Context, s kvstore.Store) error {
	return s.Put(ctx, kvstore.Entry{Key: r.key, Value: r.val, TTL: r.ttl})
}
