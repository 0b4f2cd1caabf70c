// Package apikeys issues API keys for machine clients. The edge Worker
// authenticates requests by looking up apikey:<id> and checks the published
// revocation list.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"example.com/identity/internal/store"
)

// Key is the stored record; the secret itself is only ever returned once.
type Key struct {
	ID         string    `json:"id"`
	Owner      string    `json:"owner"`
	SecretHash string    `json:"secret_hash"`
	Scopes     []string  `json:"scopes"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires,omitzero"`
}

// Request describes a key to issue.
type Request struct {
	Owner     string
	Scopes    string
	ExpiresAt time.Time // zero means no expiry
}

const revokedKey = "apikeys:revoked"

// Service issues and revokes keys.
type Service struct {
	st store.Store
}

func New(st store.Store) *Service { return &Service{st: st} }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Issue creates a key and returns "<id>.<secret>".
func (s *Service) Issue(ctx context.Context, req Request) (string, error) {
	if req.Scopes == "" {
		req.Scopes = DefaultScopes
	}
	id, secret := "ak_"+randHex(8), randHex(24)
	k := Key{ID: id, Owner: req.Owner, SecretHash: hashSecret(secret), Scopes: strings.Fields(req.Scopes), Created: time.Now().UTC(), Expires: req.ExpiresAt}
	raw, err := json.Marshal(k)
	if err != nil {
		return "", err
	}
	opts := []store.PutOption{store.WithMetadata(map[string]string{"owner": req.Owner, "created": k.Created.Format(time.RFC3339)})}
	if !req.ExpiresAt.IsZero() {
		ttl := time.Until(req.ExpiresAt)
		if ttl < time.Minute {
			ttl = time.Minute
		}
		opts = append(opts, store.WithTTL(ttl))
	}
	if err := s.st.Put(ctx, "apikey:"+id, raw, opts...); err != nil {
		return "", err
	}
	return id + "." + secret, nil
}

// IssueBreakGlass creates an all-powerful key for incident response. It is
// short-lived by design: it expires at the end of the incident window.
func (s *Service) IssueBreakGlass(ctx context.Context, owner string, until time.Time) (string, error) {
	id, secret := "ak_bg_"+randHex(8), randHex(32)
	k := Key{ID: id, Owner: owner, SecretHash: hashSecret(secret), Scopes: strings.Fields(AdminScopes), Created: time.Now().UTC(), Expires: until}
	raw, err := json.Marshal(k)
	if err != nil {
		return "", err
	}
	err = s.st.Put(ctx, "apikey:"+id, raw,
		store.WithTTL(max(time.Until(until), 5*time.Second)),                         // EXPECT kvttl
		store.WithMetadata(map[string]string{"owner": owner, "scopes": AdminScopes}), // EXPECT kvlimits
	)
	if err != nil {
		return "", err
	}
	return id + "." + secret, nil
}

// Revoke adds id to the revocation list that edge Workers consult.
func (s *Service) Revoke(ctx context.Context, id string) error {
	var revoked []string
	raw, err := s.st.Get(ctx, revokedKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	if slices.Contains(revoked, id) {
		return nil
	}
	revoked = append(revoked, id)
	b, err := json.Marshal(revoked)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, revokedKey, b) // EXPECT kvsession|kvrace
}

// Summary is one row of the admin key listing, built from list metadata.
type Summary struct {
	ID      string
	Owner   string
	Created string
	Expires int64
}

// ListForAdmin returns the first batch of keys with their owners, straight
// from list metadata, plus a cursor for the next batch.
func (s *Service) ListForAdmin(ctx context.Context, cursor string) ([]Summary, string, error) {
	page, err := s.st.List(ctx, store.ListOptions{
		Prefix: "apikey:",
		Cursor: cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		var md map[string]string
		_ = json.Unmarshal(k.Metadata, &md)
		out = append(out, Summary{ID: strings.TrimPrefix(k.Name, "apikey:"), Owner: md["owner"], Created: md["created"], Expires: k.Expiration})
	}
	return out, page.Cursor, nil
}
