package kvsession

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// The session token a middleware put in the request's context.
type tokenCtxKey struct{}

func sessionToken(ctx context.Context) string {
	t, _ := ctx.Value(tokenCtxKey{}).(string)
	return t
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type fanSession struct {
	Fan       string
	ExpiresAt time.Time
}

type sessionStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *sessionStore) get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
}

func (s *sessionStore) put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: value})
	return err
}

// loadFanSession reads the session the request's token names.
func loadFanSession(ctx context.Context, s *sessionStore) (fanSession, error) { // want loadFanSession:"kvsession judged inside"
	var fs fanSession
	tok := sessionToken(ctx)
	if tok == "" {
		return fs, errors.New("unauthorized")
	}
	raw, err := s.get(ctx, "sess:"+tok)
	if err != nil {
		return fs, err
	}
	return fs, json.Unmarshal(raw, &fs)
}

// A sliding expiry: the session the context names, read by a helper,
// pushed forward and written back under the key the context names again.
func slideFanSession(ctx context.Context, s *sessionStore) error { // want slideFanSession:"^kvsession$" slideFanSession:"kvsession judged inside"
	fs, err := loadFanSession(ctx, s)
	if err != nil {
		return err
	}
	fs.ExpiresAt = time.Now().Add(30 * time.Minute)
	buf, _ := json.Marshal(fs)
	return s.put(ctx, "sess:"+sessionToken(ctx), buf) // want `A session read, changed and written back`
}

// Quiet: the session read is written to the request's own audit key.
func auditFanSession(ctx context.Context, s *sessionStore) error { // want auditFanSession:"kvsession judged inside"
	fs, err := loadFanSession(ctx, s)
	if err != nil {
		return err
	}
	buf, _ := json.Marshal(fs)
	return s.put(ctx, "audit:"+requestID(ctx), buf)
}
