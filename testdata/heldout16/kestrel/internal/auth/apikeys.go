// Package auth holds API keys, password reset links, browser sessions and
// the GitHub OAuth login.
package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

// APIKey is the stored form of a key; the secret itself is never stored.
type APIKey struct {
	ID        string    `json:"id"`
	Org       string    `json:"org"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
}

var (
	ErrNameTaken = httpx.Errorf(http.StatusConflict, "key_name_taken", "an API key with this name already exists")
	ErrBadKey    = httpx.Errorf(http.StatusUnauthorized, "bad_api_key", "unknown or revoked API key")
)

func nameKey(org, name string) string { return keys.Join("apikey-name", org, strings.ToLower(name)) }
func recordKey(id string) string      { return "apikey/" + id }
func hashKey(hash string) string      { return "apikey-hash/" + hash }
func revokedKey(id string) string     { return "revoked/" + id }

// Keys manages API keys.
type Keys struct {
	st  store.Store
	bus *events.Bus
	now func() time.Time
}

// NewKeys returns a Keys service.
func NewKeys(st store.Store, bus *events.Bus) *Keys {
	return &Keys{st: st, bus: bus, now: time.Now}
}

// CreateKeyRequest names a new key.
type CreateKeyRequest struct {
	Org    string   `json:"org"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// CreateKeyResponse returns the secret once.
type CreateKeyResponse struct {
	Key    APIKey `json:"key"`
	Secret string `json:"secret"`
}

// Create issues a key whose name is unique within the organisation.
func (s *Keys) Create(ctx context.Context, req CreateKeyRequest) (CreateKeyResponse, error) {
	if strings.TrimSpace(req.Name) == "" || req.Org == "" {
		return CreateKeyResponse{}, httpx.Errorf(http.StatusBadRequest, "bad_request", "org and name are required")
	}
	if _, err := s.st.Get(ctx, nameKey(req.Org, req.Name)); err == nil {
		return CreateKeyResponse{}, ErrNameTaken
	} else if !store.IsNotFound(err) {
		return CreateKeyResponse{}, err
	}

	secret := "kst_" + keys.Token(24)
	k := APIKey{
		ID:        keys.Token(8),
		Org:       req.Org,
		Name:      req.Name,
		Hash:      keys.Digest(secret),
		Scopes:    req.Scopes,
		CreatedAt: s.now().UTC(),
	}
	if err := s.st.Put(ctx, nameKey(req.Org, req.Name), k.ID, 0); err != nil { // EXPECT kvrace
		return CreateKeyResponse{}, err
	}
	body, err := json.Marshal(k)
	if err != nil {
		return CreateKeyResponse{}, err
	}
	if err := s.st.Put(ctx, recordKey(k.ID), string(body), 0); err != nil {
		return CreateKeyResponse{}, err
	}
	if err := s.st.Put(ctx, hashKey(k.Hash), k.ID, 0); err != nil {
		return CreateKeyResponse{}, err
	}
	return CreateKeyResponse{Key: k, Secret: secret}, nil
}

// Authenticate resolves a presented secret to its key.
func (s *Keys) Authenticate(ctx context.Context, secret string) (APIKey, error) {
	id, err := s.st.Get(ctx, hashKey(keys.Digest(secret)))
	if err == nil {
		switch _, err = s.st.Get(ctx, revokedKey(id)); {
		case err == nil:
			return APIKey{}, ErrBadKey
		case store.IsNotFound(err):
			err = nil
		}
	}
	if store.IsNotFound(err) {
		return APIKey{}, ErrBadKey
	}
	if err != nil {
		return APIKey{}, err
	}
	raw, err := s.st.Get(ctx, recordKey(id))
	if store.IsNotFound(err) {
		return APIKey{}, ErrBadKey
	}
	if err != nil {
		return APIKey{}, err
	}
	var k APIKey
	return k, json.Unmarshal([]byte(raw), &k)
}

// RevokeRequest names the key to revoke.
type RevokeRequest struct {
	ID  string `json:"id"`
	Org string `json:"org"`
	By  string `json:"by"`
}

// Revoke marks the key as revoked for every later Authenticate.
func (s *Keys) Revoke(ctx context.Context, req RevokeRequest) (struct{}, error) {
	if err := s.st.Put(ctx, revokedKey(req.ID), req.By, 0); err != nil { // EXPECT kvsession
		return struct{}{}, err
	}
	return struct{}{}, events.Publish(ctx, s.bus, events.KeyRevoked{KeyID: req.ID, Org: req.Org, By: req.By})
}
