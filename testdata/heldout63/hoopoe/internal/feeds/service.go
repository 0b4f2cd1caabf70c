// Package feeds issues and revokes private feed tokens. Each paying
// subscriber gets a token that the edge Worker resolves to a show's private
// RSS feed.
package feeds

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
)

const tokenTTL = 400 * 24 * time.Hour

var (
	ErrSlugTaken     = errors.New("feeds: slug already taken")
	ErrNoSuchToken   = errors.New("feeds: no such token")
	ErrNotSubscribed = errors.New("feeds: subscriber has no token")
)

// TokenRecord is what the edge reads for a feed token.
type TokenRecord struct {
	ShowID       string    `json:"show_id"`
	SubscriberID string    `json:"subscriber_id"`
	Tier         string    `json:"tier"`
	IssuedAt     time.Time `json:"issued_at"`
}

// Service owns feed tokens and show slugs.
type Service struct {
	db *pgxpool.Pool
	kv *kvrest.Store
}

// NewService returns a Service.
func NewService(db *pgxpool.Pool, kv *kvrest.Store) *Service { return &Service{db: db, kv: kv} }

func newToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(tok string) string            { return "feedtok:" + tok }
func subscriberKey(show, sub string) string { return fmt.Sprintf("subscriber:%s:%s:feed", show, sub) }
func revokedKey(show string) string         { return "revoked:" + show }
func slugKey(slug string) string            { return "slug:" + slug }

// Issue mints a feed token for a subscriber.
func (s *Service) Issue(ctx context.Context, showID, subscriberID, tier string) (string, error) {
	tok := newToken()
	rec, _ := json.Marshal(TokenRecord{ShowID: showID, SubscriberID: subscriberID, Tier: tier, IssuedAt: time.Now().UTC()})
	if err := s.kv.PutTTL(ctx, tokenKey(tok), rec, tokenTTL); err != nil {
		return "", err
	}
	if err := s.kv.Put(ctx, subscriberKey(showID, subscriberID), []byte(tok)); err != nil { // DEBATABLE kvsession
		return "", err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO feed_tokens (show_id, subscriber_id, token, tier) VALUES ($1, $2, $3, $4)`,
		showID, subscriberID, tok, tier)
	return tok, err
}

// Regenerate replaces a subscriber's token after they report it leaked.
func (s *Service) Regenerate(ctx context.Context, showID, subscriberID string) (string, error) {
	old, err := s.kv.Get(ctx, subscriberKey(showID, subscriberID))
	if errors.Is(err, kvrest.ErrNotFound) {
		return "", ErrNotSubscribed
	}
	if err != nil {
		return "", err
	}
	var tier string
	if err := s.db.QueryRow(ctx, `SELECT tier FROM feed_tokens WHERE token = $1`, string(old)).Scan(&tier); err != nil {
		return "", err
	}
	tok, err := s.Issue(ctx, showID, subscriberID, tier)
	if err != nil {
		return "", err
	}
	if err := s.kv.Delete(ctx, tokenKey(string(old))); err != nil { // EXPECT kvsession
		return "", err
	}
	return tok, nil
}

// Revoke blocks a subscriber's token, e.g. after a chargeback. The edge checks
// the show's revocation list before serving a feed.
func (s *Service) Revoke(ctx context.Context, showID, token string) error {
	var list []string
	raw, err := s.kv.Get(ctx, revokedKey(showID))
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	}
	list = append(list, token)
	out, _ := json.Marshal(list)
	return s.kv.Put(ctx, revokedKey(showID), out) // EXPECT kvsession|kvrace
}

// ClaimSlug reserves a public slug (hoopoe.fm/<slug>) for a show.
func (s *Service) ClaimSlug(ctx context.Context, slug, showID string) error {
	_, err := s.kv.Get(ctx, slugKey(slug))
	if err == nil {
		return ErrSlugTaken
	}
	if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	return s.kv.Put(ctx, slugKey(slug), []byte(showID)) // EXPECT kvrace
}

// Resolve reads a token record directly, for support tooling.
func (s *Service) Resolve(ctx context.Context, token string) (TokenRecord, error) {
	api, rc := s.kv.API()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: s.kv.Namespace(), Key: tokenKey(token)})
	if err != nil {
		return TokenRecord{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return TokenRecord{}, ErrNoSuchToken
	}
	var rec TokenRecord
	err = json.Unmarshal(raw, &rec)
	return rec, err
}

// CachedFeedURL returns the public URL of a show's feed, caching the database
// lookup in KV for the edge.
func (s *Service) CachedFeedURL(ctx context.Context, showID string) (string, error) {
	key := "feedurl:" + showID
	raw, err := s.kv.Get(ctx, key)
	if err == nil {
		return string(raw), nil
	}
	if !errors.Is(err, kvrest.ErrNotFound) {
		return "", err
	}
	var slug string
	if err := s.db.QueryRow(ctx, `SELECT slug FROM shows WHERE id = $1`, showID).Scan(&slug); err != nil {
		return "", err
	}
	url := "https://feeds.hoopoe.fm/" + slug + ".xml"
	return url, s.kv.Cache(ctx, key, []byte(url), 6*time.Hour)
}
