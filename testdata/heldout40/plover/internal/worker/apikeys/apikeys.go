//go:build js && wasm

// Package apikeys manages per-project API keys and project slugs. Keys are
// stored by the SHA-256 of the secret; the secret itself is shown once.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"plover/internal/domain"
	"plover/internal/edgekv"
	"plover/internal/enc"
	"plover/internal/keys"
)

const (
	metaCacheTTL   = 10 * time.Minute
	metaTTL        = time.Hour
	attemptsWindow = 10 * time.Minute
	maxAttempts    = 20
)

var (
	ErrSlugTaken    = errors.New("apikeys: slug already taken")
	ErrUnknownKey   = errors.New("apikeys: unknown key")
	ErrTooManyTries = errors.New("apikeys: too many failed attempts")
)

// Keys is the project key service. The KV store is embedded so that the
// service reads like a store of its own.
type Keys struct {
	*edgekv.Store
	origin string
	client *http.Client
}

// New returns the key service. origin is the base URL of the control-plane
// API that owns project metadata.
func New(st *edgekv.Store, origin string) *Keys {
	return &Keys{Store: st, origin: origin, client: http.DefaultClient}
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Create mints a key for project and returns the secret.
func (k *Keys) Create(project, name string, scopes []string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := "plv_" + base64.RawURLEncoding.EncodeToString(b)
	rec, err := json.Marshal(domain.ProjectKey{Project: project, Name: name, Scopes: scopes, Created: time.Now()})
	if err != nil {
		return "", err
	}
	if err := k.Put(keys.APIKeyKey{Hash: hash(secret)}, string(rec), 0); err != nil {
		return "", err
	}
	return secret, nil
}

// Verify resolves secret to its key record. Failed attempts are counted per
// client address.
func (k *Keys) Verify(secret, clientIP string) (*domain.ProjectKey, error) {
	attemptsKey := keys.Key(keys.Attempts.With(clientIP))
	raw, err := k.Raw(attemptsKey.String()) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(raw)
	if n >= maxAttempts {
		return nil, ErrTooManyTries
	}

	rec, ok, err := k.GetCached(keys.APIKeyKey{Hash: hash(secret)}, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := k.Put(attemptsKey, strconv.Itoa(n+1), attemptsWindow); err != nil { // EXPECT kvcounter|kvrace
			return nil, err
		}
		return nil, ErrUnknownKey
	}
	var pk domain.ProjectKey
	if err := json.Unmarshal([]byte(rec), &pk); err != nil {
		return nil, err
	}
	return &pk, nil
}

// Rotate replaces the key with hash old by a new key with the same name and
// scopes, and returns the new secret.
func (k *Keys) Rotate(ctx context.Context, old string) (string, error) {
	rec, ok, err := k.Get(keys.APIKeyKey{Hash: old})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrUnknownKey
	}
	var pk domain.ProjectKey
	if err := json.Unmarshal([]byte(rec), &pk); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := "plv_" + base64.RawURLEncoding.EncodeToString(b)
	pk.Created = time.Now()
	next, err := json.Marshal(pk)
	if err != nil {
		return "", err
	}

	uow := k.Batch()
	uow.Create(keys.APIKeyKey{Hash: hash(secret)}, string(next), 0)
	uow.Delete(keys.APIKeyKey{Hash: old}) // EXPECT kvsession
	if err := uow.Commit(ctx); err != nil {
		return "", err
	}
	return secret, nil
}

// ClaimSlug reserves slug for project. Slugs appear in badge and cache URLs.
func (k *Keys) ClaimSlug(project, slug string) error {
	key := keys.Key(keys.ProjectSlug.With(slug))
	if _, taken, err := k.Get(key); err != nil {
		return err
	} else if taken {
		return ErrSlugTaken
	}
	return k.Put(key, project, 0) // EXPECT kvrace
}

// ResolveSlug maps a slug to its project.
func (k *Keys) ResolveSlug(slug string) (string, bool, error) {
	return k.GetCached(keys.Key(keys.ProjectSlug.With(slug)), 30*time.Minute)
}

// ProjectMeta returns the control-plane metadata of project, caching it in
// KV for an hour.
func (k *Keys) ProjectMeta(ctx context.Context, project string) (map[string]any, error) {
	key := keys.Key(keys.ProjectMeta.With(project))
	if raw, ok, err := k.GetCached(key, metaCacheTTL); err != nil {
		return nil, err
	} else if ok {
		var meta map[string]any
		if err := json.Unmarshal([]byte(raw), &meta); err == nil {
			return meta, nil
		}
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.origin+"/v1/projects/"+project, nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("apikeys: origin: %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var meta map[string]any
	if err := json.Unmarshal(body, &meta); err != nil {
		return nil, err
	}
	if err := k.Put(key, string(body), metaTTL); err != nil {
		return nil, err
	}
	return meta, nil
}

// Settings returns the dashboard settings of project.
func (k *Keys) Settings(project string) (domain.ProjectSettings, error) {
	s, ok, err := edgekv.Load(k.Store, keys.ProjectSetting.With(project), decodeSettings)
	if err != nil {
		return s, err
	}
	if !ok {
		return domain.ProjectSettings{Project: project, CacheEnabled: true, RetentionDays: 30}, nil
	}
	return s, nil
}

func decodeSettings(raw string) (domain.ProjectSettings, error) {
	var s domain.ProjectSettings
	err := enc.UnGob(raw, &s)
	return s, err
}
