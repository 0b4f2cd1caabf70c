// Package tokens issues and checks developer API tokens ("qry_..." strings used
// by the CLI and CI runners).
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
)

const tokenPrefix = "qry_"

// jobTimeout is the hard limit a runner gets for one job step upload window.
const jobTimeout = 2 * time.Minute

// ciTokenTTL is the lifetime of the token handed to a runner for one upload;
// it expires before the step timeout so a stuck runner cannot reuse it.
const ciTokenTTL = jobTimeout - 90*time.Second

// ErrInvalid is returned for unknown, expired or revoked tokens.
var ErrInvalid = errors.New("tokens: invalid token")

// Record is what is stored for a token, keyed by the SHA-256 of the secret.
type Record struct {
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitempty"`
}

// Service issues and validates tokens.
type Service struct {
	ns     cfclient.Namespace
	st     kvstore.Store // same namespace, for records handled through codec
	maxTTL time.Duration
	log    *slog.Logger
}

// NewService returns a Service.
func NewService(ns cfclient.Namespace, st kvstore.Store, maxTTL time.Duration, log *slog.Logger) *Service {
	return &Service{ns: ns, st: st, maxTTL: maxTTL, log: log}
}

// Hash returns the storage ID of a raw token.
func Hash(raw string) string {
	sum := sha256.Sum256([]byte(strings.TrimPrefix(raw, tokenPrefix)))
	return hex.EncodeToString(sum[:])
}

func recordKey(hash string) string { return "tok:" + hash }

func mint() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Issue creates a token for userID that expires at exp (capped at the
// configured maximum) and returns the raw secret, shown to the user once.
func (s *Service) Issue(ctx context.Context, userID, name string, scopes []string, exp time.Time) (string, error) {
	raw := mint()
	now := time.Now().UTC()
	rec := Record{UserID: userID, Name: name, Scopes: scopes, CreatedAt: now, ExpiresAt: exp}
	ttl := policy.Clamp(time.Until(exp), s.maxTTL)
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, recordKey(Hash(raw)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	if err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "token issued", "user", userID, "name", name, "ttl", ttl)
	return raw, nil
}

// IssueJobToken mints a short-lived upload token for a runner.
func (s *Service) IssueJobToken(ctx context.Context, jobID string) (string, error) {
	raw := mint()
	rec := Record{UserID: "job:" + jobID, Name: "ci-upload", Scopes: []string{"artifacts:write"}, CreatedAt: time.Now().UTC()}
	if err := codec.Save(ctx, s.st, recordKey(Hash(raw)), rec, kvstore.PutOptions{
		TTL: ciTokenTTL, // EXPECT kvttl
	}); err != nil {
		return "", err
	}
	return raw, nil
}

func (s *Service) read(ctx context.Context, hash string) (Record, error) {
	var rec Record
	resp, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, recordKey(hash), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return rec, ErrInvalid
		}
		return rec, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&rec)
	return rec, err
}

// Authenticate resolves a raw bearer token to its record.
func (s *Service) Authenticate(ctx context.Context, raw string) (Record, error) {
	if !strings.HasPrefix(raw, tokenPrefix) {
		return Record{}, ErrInvalid
	}
	hash := Hash(raw)
	rec, err := s.read(ctx, hash)
	if err != nil {
		return Record{}, err
	}
	if revoked, err := s.revokedUsers(ctx); err == nil && slices.Contains(revoked, rec.UserID) {
		return Record{}, ErrInvalid
	}
	rec.LastUsedAt = time.Now().UTC()
	b, _ := json.Marshal(rec)
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, recordKey(hash), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(policy.Clamp(time.Until(rec.ExpiresAt), s.maxTTL).Seconds()),
	})
	if err != nil {
		s.log.WarnContext(ctx, "could not record token use", "err", err)
	}
	return rec, nil
}

// Revoke deletes one token by its hash.
func (s *Service) Revoke(ctx context.Context, hash string) error {
	if err := s.st.Delete(ctx, recordKey(hash)); err != nil { // EXPECT kvsession
		return fmt.Errorf("tokens: revoke: %w", err)
	}
	return nil
}

const revokedUsersKey = "revoked:users"

func (s *Service) revokedUsers(ctx context.Context) ([]string, error) {
	users, _, err := codec.Load[[]string](ctx, s.st, revokedUsersKey)
	return users, err
}

// RevokeAllFor blocks every token of userID, e.g. after an account compromise.
func (s *Service) RevokeAllFor(ctx context.Context, userID string) error {
	users, err := s.revokedUsers(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(users, userID) {
		return nil
	}
	users = append(users, userID)
	return codec.Save(ctx, s.st, revokedUsersKey, users, kvstore.PutOptions{}) // EXPECT kvsession|kvrace
}
