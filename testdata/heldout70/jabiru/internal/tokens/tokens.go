// Package tokens manages the API tokens that the Traefik gateway accepts in
// front of the query API. A token is stored under "apitoken:<sha256>" so the
// gateway can look it up without an organisation context.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// ErrUnknown is returned for a token hash that has no record.
var ErrUnknown = errors.New("tokens: unknown token")

// Record is the stored form of a token. The secret itself is never stored.
type Record struct {
	ID        string    `json:"id"`
	OrgID     int64     `json:"orgId"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	LastUsed  time.Time `json:"lastUsed,omitzero"`
}

// adminScopes is what an organisation admin token carries. The gateway
// matches request paths against it.
const adminScopes = "dashboards:read,dashboards:write,dashboards:delete,dashboards:share," +
	"folders:read,folders:write,folders:delete,folders:permissions,datasources:read," +
	"datasources:write,datasources:delete,datasources:query,datasources:explore," +
	"annotations:read,annotations:write,annotations:delete,annotations:import," +
	"alerts:read,alerts:write,alerts:delete,alerts:silence,alerts:notifications," +
	"silences:read,silences:write,silences:expire,silences:import,snapshots:read," +
	"snapshots:write,snapshots:delete,snapshots:magic-links,snapshots:export," +
	"tokens:read,tokens:write,tokens:revoke,tokens:rotate,quotas:read,quotas:write," +
	"orgs:read,orgs:write,orgs:users:read,orgs:users:write,orgs:users:remove," +
	"teams:read,teams:write,teams:delete,teams:members,users:read,users:write," +
	"serviceaccounts:read,serviceaccounts:write,serviceaccounts:delete," +
	"serviceaccounts:tokens,plugins:read,plugins:install,plugins:configure," +
	"reports:read,reports:write,reports:send,library-panels:read,library-panels:write," +
	"library-panels:delete,playlists:read,playlists:write,playlists:delete," +
	"query-history:read,query-history:write,query-history:delete,cache:read,cache:purge," +
	"recording-rules:read,recording-rules:write,recording-rules:delete,slo:read,slo:write," +
	"slo:delete,oncall:read,oncall:write,incidents:read,incidents:write,incidents:resolve," +
	"logs:read,logs:tail,logs:export,traces:read,traces:export,profiles:read,profiles:export," +
	"metrics:read,metrics:write,metrics:delete-series,usage:read,billing:read,audit:read"

// Key returns the KV key of a token from its secret.
func Key(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "apitoken:" + hex.EncodeToString(sum[:])
}

// KeyFromHash returns the KV key of a token from its hex hash, as shown in the UI.
func KeyFromHash(hash string) string { return "apitoken:" + hash }

// Store creates, rotates and revokes tokens.
type Store struct{}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "jbr_" + hex.EncodeToString(b)
}

// Mint creates a token for h's organisation valid until expiresAt and returns
// its secret, which is shown to the user once.
func (s *Store) Mint(ctx context.Context, h *orgs.Handle, user, name string, scopes []string, expiresAt time.Time) (string, *Record, error) {
	secret := newSecret()
	rec := &Record{
		ID: Key(secret)[len("apitoken:"):], OrgID: h.Org, Name: name, Scopes: scopes,
		CreatedBy: user, CreatedAt: time.Now().UTC(), ExpiresAt: expiresAt.UTC(),
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return "", nil, err
	}
	if err := h.NS.Put(ctx, Key(secret), body,
		time.Until(rec.ExpiresAt)); err != nil { // EXPECT kvttl
		return "", nil, err
	}
	return secret, rec, nil
}

// MintAdmin creates the organisation's bootstrap admin token. The scope list
// goes into metadata so the admin page can show it from a key listing.
func (s *Store) MintAdmin(ctx context.Context, h *orgs.Handle, user string) (string, error) {
	secret := newSecret()
	rec := Record{
		ID: Key(secret)[len("apitoken:"):], OrgID: h.Org, Name: "bootstrap-admin",
		Scopes: []string{"*"}, CreatedBy: user, CreatedAt: time.Now().UTC(),
		ExpiresAt: time.Now().UTC().AddDate(0, 0, 90),
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	meta := map[string]any{
		"org":    h.Org,
		"name":   rec.Name,
		"scopes": adminScopes, // EXPECT kvlimits
	}
	return secret, h.NS.PutWithMetadata(ctx, Key(secret), body, meta, 90*24*time.Hour)
}

// SetScopes replaces the scopes of an existing token.
func (s *Store) SetScopes(ctx context.Context, h *orgs.Handle, hash string, scopes []string) (*Record, error) {
	key := KeyFromHash(hash)
	var rec Record
	ok, err := h.NS.GetJSON(ctx, key, &rec)
	if err != nil {
		return nil, err
	}
	if !ok || rec.OrgID != h.Org {
		return nil, ErrUnknown
	}
	rec.Scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := h.NS.Put(ctx, key, body, max(time.Until(rec.ExpiresAt), time.Minute)); err != nil { // EXPECT kvrace|kvsession
		return nil, err
	}
	return &rec, nil
}

// Revoke deletes a token and records its id in the organisation's
// revocation list, which the gateway consults for tokens it has cached.
func (s *Store) Revoke(ctx context.Context, h *orgs.Handle, hash string) error {
	if err := h.NS.Delete(ctx, KeyFromHash(hash)); err != nil { // EXPECT kvsession
		return err
	}
	listKey := h.Key("apitoken", "revoked").Value()
	var revoked []string
	if _, err := h.NS.GetJSON(ctx, listKey, &revoked); err != nil {
		return fmt.Errorf("revocation list: %w", err)
	}
	if !slices.Contains(revoked, hash) {
		revoked = append(revoked, hash)
	}
	body, _ := json.Marshal(revoked)
	return h.NS.Put(ctx, listKey, body, 0) // EXPECT kvsession|kvrace
}

// Rotate replaces a token with a new secret carrying the same scopes and
// expiry, and retires the old one.
func (s *Store) Rotate(ctx context.Context, h *orgs.Handle, user, hash string) (string, *Record, error) {
	var old Record
	ok, err := h.NS.GetJSON(ctx, KeyFromHash(hash), &old)
	if err != nil {
		return "", nil, err
	}
	if !ok || old.OrgID != h.Org {
		return "", nil, ErrUnknown
	}
	until := old.ExpiresAt
	if floor := time.Now().Add(24 * time.Hour); until.Before(floor) {
		until = floor
	}
	secret, rec, err := s.Mint(ctx, h, user, old.Name, old.Scopes, until)
	if err != nil {
		return "", nil, err
	}
	if err := h.NS.Delete(context.WithoutCancel(ctx), KeyFromHash(hash)); err != nil { // EXPECT kvsession
		return secret, rec, fmt.Errorf("new token issued, old one still valid: %w", err)
	}
	return secret, rec, nil
}
