package editor

import (
	"context"
	"time"

	"example.com/pressroom/internal/store"
)

// tokenLifetime is the longest an API token can live; revocation entries
// only need to outlast it.
const tokenLifetime = 30 * 24 * time.Hour

// Tokens tracks revoked API tokens (JWT IDs) used by the publishing API.
type Tokens struct {
	w store.Writer
	r store.Reader
}

// NewTokens returns a revocation list over st.
func NewTokens(st store.Store) *Tokens { return &Tokens{w: st, r: st} }

// Revoke adds jti to the revocation list.
func (t *Tokens) Revoke(ctx context.Context, jti string) error {
	return t.w.Put(ctx, "revoked-token:"+jti, time.Now().UTC().Format(time.RFC3339), store.WithTTL(tokenLifetime)) // EXPECT kvsession
}

// Revoked reports whether jti was revoked.
func (t *Tokens) Revoked(ctx context.Context, jti string) (bool, error) {
	_, ok, err := t.r.Get(ctx, "revoked-token:"+jti)
	return ok, err
}

// ttlFor returns the lifetime policy for a kind of share link.
func ttlFor(kind string) func() time.Duration {
	switch kind {
	case "preview":
		return func() time.Duration { return 72 * time.Hour }
	case "review":
		return func() time.Duration { return 7 * 24 * time.Hour }
	default:
		return func() time.Duration { return time.Hour }
	}
}

// ShareLink mints a read-only link to a draft for reviewers outside the team.
func (m *Manager) ShareLink(ctx context.Context, kind, campaignID string) (string, error) {
	tok := m.newID()
	lifetime := ttlFor(kind)
	if err := m.st.Put(ctx, "share:"+tok, campaignID, store.WithTTL(lifetime())); err != nil {
		return "", err
	}
	return tok, nil
}
