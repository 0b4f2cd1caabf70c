// Package partners manages courier partner accounts: their API keys, their
// public slug, their IP allow-lists and the per-partner request budget.
package partners

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sora/internal/config"
	"sora/internal/httpx"
	"sora/internal/kvstore"
)

// Store is the namespace partner data lives in.
type Store = kvstore.Namespace

var (
	// store is set by main before the server starts.
	store *Store
	// db is the partner system of record.
	db *sql.DB
	// keyTTL is how long a freshly issued API key stays valid; main overrides
	// it from -partner-key-ttl.
	keyTTL = 90 * 24 * time.Hour
)

// Init wires the package to its storage.
func Init(ns *Store, sqlDB *sql.DB, ttl time.Duration) {
	store, db = ns, sqlDB
	if ttl > 0 {
		keyTTL = ttl
	}
}

// ErrRateLimited is returned by Authenticate when the partner is over budget.
var ErrRateLimited = httpx.TooMany("partner request budget exhausted")

// KeyRecord is what is stored for an issued API key.
type KeyRecord struct {
	PartnerID string    `json:"partner_id"`
	Scopes    []string  `json:"scopes"`
	IssuedAt  time.Time `json:"issued_at"`
	Label     string    `json:"label,omitempty"`
}

// Profile is the cached public profile of a partner.
type Profile struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	SupportURL  string `json:"support_url"`
	LogoURL     string `json:"logo_url"`
}

func hashKey(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// IssueKeyRequest asks for a new API key.
type IssueKeyRequest struct {
	PartnerID string   `json:"partner_id"`
	Scopes    []string `json:"scopes"`
	Label     string   `json:"label"`
}

// IssueKeyResponse carries the key; it is shown once.
type IssueKeyResponse struct {
	Key       string    `json:"key"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IssueKey mints a new random API key for a partner.
func IssueKey(ctx context.Context, req IssueKeyRequest) (IssueKeyResponse, error) {
	if req.PartnerID == "" {
		return IssueKeyResponse{}, httpx.BadRequest("partner_id is required")
	}
	raw := "sk_live_" + randomToken(24)
	rec := KeyRecord{PartnerID: req.PartnerID, Scopes: req.Scopes, IssuedAt: time.Now().UTC(), Label: req.Label}
	b, err := json.Marshal(rec)
	if err != nil {
		return IssueKeyResponse{}, err
	}
	if err := store.Put(ctx, "apikey:"+hashKey(raw), b, keyTTL); err != nil {
		return IssueKeyResponse{}, err
	}
	return IssueKeyResponse{Key: raw, ExpiresAt: rec.IssuedAt.Add(keyTTL)}, nil
}

// RevokeKeyRequest names a key by its hash, as shown in the dashboard.
type RevokeKeyRequest struct {
	KeyHash string `json:"key_hash"`
}

// RevokeKey removes an API key.
func RevokeKey(ctx context.Context, req RevokeKeyRequest) (struct{}, error) {
	if len(req.KeyHash) != 64 {
		return struct{}{}, httpx.BadRequest("key_hash must be a sha256 hex digest")
	}
	if err := store.Delete(ctx, "apikey:"+req.KeyHash); err != nil { // EXPECT kvsession
		return struct{}{}, err
	}
	return struct{}{}, nil
}

// RotateKeyRequest replaces one key with a new one.
type RotateKeyRequest struct {
	OldKey string `json:"old_key"`
}

// RotateKey issues a replacement key and records the old one as revoked so
// that edge validators stop accepting it.
func RotateKey(ctx context.Context, req RotateKeyRequest) (IssueKeyResponse, error) {
	oldHash := hashKey(req.OldKey)
	raw, err := store.Get(ctx, "apikey:"+oldHash)
	if errors.Is(err, kvstore.ErrNotFound) {
		return IssueKeyResponse{}, httpx.Unauthorized("unknown key")
	} else if err != nil {
		return IssueKeyResponse{}, err
	}
	var rec KeyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return IssueKeyResponse{}, err
	}
	resp, err := IssueKey(ctx, IssueKeyRequest{PartnerID: rec.PartnerID, Scopes: rec.Scopes, Label: rec.Label + " (rotated)"})
	if err != nil {
		return IssueKeyResponse{}, err
	}
	entry := map[string]any{"hash": oldHash, "revoked_at": time.Now().Unix()}
	if err := store.AppendJSON(ctx, "revoked:apikeys", entry); err != nil { // EXPECT kvsession|kvhotkey
		return IssueKeyResponse{}, err
	}
	return resp, nil
}

// Authenticate resolves the partner behind a raw API key and charges one
// request against the partner's per-minute budget.
func Authenticate(ctx context.Context, rawKey string) (*KeyRecord, error) {
	raw, err := store.Get(ctx, "apikey:"+hashKey(rawKey))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, httpx.Unauthorized("invalid API key")
	}
	if err != nil {
		return nil, err
	}
	var rec KeyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	if err := charge(ctx, rec.PartnerID); err != nil {
		return nil, err
	}
	return &rec, nil
}

func charge(ctx context.Context, partnerID string) error {
	limit := config.Load().RateLimitPerMinute
	key := "ratelimit:" + partnerID
	used := 0
	raw, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("ratelimit %s: %w", partnerID, err)
		}
	}
	if used >= limit {
		return ErrRateLimited
	}
	return store.Put(ctx, key, []byte(strconv.Itoa(used+1)), time.Minute) // EXPECT kvcounter|kvrace
}

// KeyFromRequest pulls the API key out of the Authorization header.
func KeyFromRequest(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// GetProfileRequest names a partner.
type GetProfileRequest struct {
	PartnerID string `json:"-"`
}

// Bind implements httpx.Binder.
func (r *GetProfileRequest) Bind(hr *http.Request) error {
	r.PartnerID = hr.PathValue("partner")
	if r.PartnerID == "" {
		return httpx.BadRequest("missing partner")
	}
	return nil
}

// GetProfile returns a partner's public profile, cached in KV in front of
// the partner database.
func GetProfile(ctx context.Context, req GetProfileRequest) (Profile, error) {
	key := "profile:" + req.PartnerID
	if raw, err := store.Get(ctx, key); err == nil {
		var p Profile
		if json.Unmarshal(raw, &p) == nil {
			return p, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		log.Printf("profile cache read %s: %v", key, err)
	}
	var p Profile
	row := db.QueryRowContext(ctx, `SELECT id, display_name, support_url, logo_url FROM partners WHERE id = $1`, req.PartnerID)
	if err := row.Scan(&p.ID, &p.DisplayName, &p.SupportURL, &p.LogoURL); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Profile{}, httpx.NotFound("no such partner")
		}
		return Profile{}, err
	}
	b, _ := json.Marshal(p)
	if err := store.PutCache(ctx, key, b, config.Load().StatusCacheTTL.Duration); err != nil {
		log.Printf("profile cache write %s: %v", key, err)
	}
	return p, nil
}

// ClaimSlugRequest reserves a public slug (used in tracking URLs such as
// track.example.com/<slug>/<number>) for a partner.
type ClaimSlugRequest struct {
	PartnerID string `json:"partner_id"`
	Slug      string `json:"slug"`
}

// ClaimSlugResponse echoes the claimed slug.
type ClaimSlugResponse struct {
	Slug string `json:"slug"`
}

// ClaimSlug gives a slug to the first partner that asks for it.
func ClaimSlug(ctx context.Context, req ClaimSlugRequest) (ClaimSlugResponse, error) {
	slug := strings.ToLower(strings.TrimSpace(req.Slug))
	if slug == "" || len(slug) > 40 {
		return ClaimSlugResponse{}, httpx.BadRequest("slug must be 1-40 characters")
	}
	key := "slug:" + slug
	if _, err := store.Get(ctx, key); err == nil {
		return ClaimSlugResponse{}, httpx.Conflict("slug already taken")
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return ClaimSlugResponse{}, err
	}
	if err := store.Put(ctx, key, []byte(req.PartnerID), 0); err != nil { // EXPECT kvrace
		return ClaimSlugResponse{}, err
	}
	return ClaimSlugResponse{Slug: slug}, nil
}

// AllowIPRequest adds a CIDR to a partner's API allow-list.
type AllowIPRequest struct {
	PartnerID string `json:"partner_id"`
	CIDR      string `json:"cidr"`
}

// AllowIP appends a CIDR to the partner's allow-list, one per line.
func AllowIP(ctx context.Context, req AllowIPRequest) (struct{}, error) {
	key := "allowlist:" + req.PartnerID
	old, err := store.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return struct{}{}, err
	}
	next := strings.TrimSpace(string(old) + "\n" + req.CIDR)
	if err := store.Put(ctx, key, []byte(next), 0); err != nil { // EXPECT kvrace
		return struct{}{}, err
	}
	return struct{}{}, nil
}

// ReplaceAllowlistRequest sets the whole allow-list at once.
type ReplaceAllowlistRequest struct {
	PartnerID string   `json:"partner_id"`
	CIDRs     []string `json:"cidrs"`
}

// ReplaceAllowlist overwrites the allow-list with the list from the request;
// the previous list is logged for the audit trail.
func ReplaceAllowlist(ctx context.Context, req ReplaceAllowlistRequest) (struct{}, error) {
	key := "allowlist:" + req.PartnerID
	if prev, err := store.Get(ctx, key); err == nil {
		log.Printf("allowlist %s replaced; previous=%q", req.PartnerID, prev)
	}
	if err := store.Put(ctx, key, []byte(strings.Join(req.CIDRs, "\n")), 0); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, nil
}

// TouchLastSeen records when a partner last called the API. It runs after
// the response, for every authenticated request.
func TouchLastSeen(ctx context.Context, partnerID string) {
	ts := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := store.Put(ctx, "lastseen:"+partnerID, ts, 0); err != nil { // DEBATABLE kvhotkey
		log.Printf("lastseen %s: %v", partnerID, err)
	}
}
