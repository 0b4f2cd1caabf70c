// Package tokens issues and verifies creator API tokens and the refresh
// tokens used by the mobile app. Records live in KV keyed by a hash of the
// secret, so a leaked namespace dump does not leak usable tokens.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/marlin/internal/clock"
)

// ErrUnknown is returned for tokens that do not exist.
var ErrUnknown = errors.New("tokens: unknown token")

// ErrQuota is returned when a creator already holds the maximum number of
// tokens.
var ErrQuota = errors.New("tokens: quota exceeded")

// Record describes an issued token.
type Record struct {
	CreatorID string    `json:"creator_id"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
}

// meta is stored as key metadata so that listings need no value reads.
type meta struct {
	CreatorID string `json:"c"`
	Name      string `json:"n"`
}

// Service issues tokens.
type Service struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	pepper      string
	clock       clock.Clock
	maxTokens   int
	refreshTTL  time.Duration
}

// New returns a Service.
func New(client *cloudflare.Client, accountID, namespaceID, pepper string, c clock.Clock) *Service {
	return &Service{
		client:      client,
		accountID:   accountID,
		namespaceID: namespaceID,
		pepper:      pepper,
		clock:       c,
		maxTokens:   20,
		refreshTTL:  30 * 24 * time.Hour,
	}
}

func (s *Service) hash(secret string) string {
	sum := sha256.Sum256([]byte(s.pepper + secret))
	return hex.EncodeToString(sum[:])
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Service) put(ctx context.Context, key string, value []byte, ttl time.Duration, md any) error {
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(max(ttl, time.Minute).Seconds())
	}
	if md != nil {
		params.Metadata = cloudflare.F(md)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, url.PathEscape(key), params)
	return err
}

func (s *Service) get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, url.PathEscape(key), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if notFound(err) {
			return nil, ErrUnknown
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func secret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "mrl_" + hex.EncodeToString(b[:]), nil
}

// Issue mints a new API token for a creator and returns its secret.
func (s *Service) Issue(ctx context.Context, creatorID, name string, scopes []string) (string, error) {
	if err := s.reserve(ctx, creatorID); err != nil {
		return "", err
	}
	tok, err := secret()
	if err != nil {
		return "", err
	}
	rec, _ := json.Marshal(Record{CreatorID: creatorID, Name: name, Scopes: scopes, CreatedAt: s.clock.Now()})
	if err := s.put(ctx, "apitoken:"+s.hash(tok), rec, 0, meta{CreatorID: creatorID, Name: name}); err != nil {
		return "", err
	}
	return tok, nil
}

// reserve counts the token against the creator's quota.
func (s *Service) reserve(ctx context.Context, creatorID string) error {
	key := "quota:tokens:" + creatorID
	used := 0
	b, err := s.get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(b))
	case !errors.Is(err, ErrUnknown):
		return err
	}
	if used >= s.maxTokens {
		return ErrQuota
	}
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(used + 1))),
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, url.PathEscape(key), params) // EXPECT kvcounter
	return err
}

// Verify resolves a presented secret to its record.
func (s *Service) Verify(ctx context.Context, tok string) (Record, error) {
	b, err := s.get(ctx, "apitoken:"+s.hash(tok))
	if err != nil {
		return Record{}, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("token record: %w", err)
	}
	return r, nil
}

// Revoke deletes an API token.
func (s *Service) Revoke(ctx context.Context, tok string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, url.PathEscape("apitoken:"+s.hash(tok)), cfkv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	if notFound(err) {
		return ErrUnknown
	}
	return err
}

// IssueRefresh mints a refresh token for the mobile app.
func (s *Service) IssueRefresh(ctx context.Context, creatorID string) (string, error) {
	tok, err := secret()
	if err != nil {
		return "", err
	}
	return tok, s.put(ctx, "refresh:"+s.hash(tok), []byte(creatorID), s.refreshTTL, nil)
}

// Rotate exchanges a refresh token for a new one.
func (s *Service) Rotate(ctx context.Context, old string) (string, error) {
	key := "refresh:" + s.hash(old)
	b, err := s.get(ctx, key)
	if err != nil {
		return "", err
	}
	_, err = s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, url.PathEscape(key), cfkv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return "", err
	}
	return s.IssueRefresh(ctx, string(b))
}

// Describe returns the stored record of a token hash for the admin UI.
func (s *Service) Describe(ctx context.Context, hash string) Record {
	b, _ := s.get(ctx, "apitoken:"+hash) // EXPECT kvnull
	var r Record
	_ = json.Unmarshal(b, &r)
	return r
}
