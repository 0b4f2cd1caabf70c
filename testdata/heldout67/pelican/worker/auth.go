//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	// negativeTTL keeps unknown keys from reaching KV's origin on every retry.
	negativeTTL = 30
	keyCacheTTL = 300
	nullValue   = "<null>"
)

type edgeKey struct {
	KeyID       uint       `json:"kid"`
	DeveloperID uint       `json:"dev"`
	Plan        string     `json:"plan"`
	Scopes      string     `json:"scopes"`
	Status      string     `json:"status"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
}

func (k edgeKey) DeveloperIDString() string { return strconv.FormatUint(uint64(k.DeveloperID), 10) }

type identity struct {
	Hash   string
	Record edgeKey
}

func hashKey(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

func copyBody(w io.Writer, res *http.Response) (int64, error) { return io.Copy(w, res.Body) }

// authenticate resolves the caller's API key to its edge record.
func (g *gateway) authenticate(r *http.Request) (identity, int) {
	if tok := r.Header.Get("X-Pelican-Token"); tok != "" {
		return g.authenticateLegacy(tok)
	}
	plain := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if plain == "" {
		return identity{}, http.StatusUnauthorized
	}
	hash := hashKey(plain)
	if neg, err := g.keys.GetString("neg:"+hash, nil); err == nil && neg != nullValue {
		return identity{}, http.StatusUnauthorized
	}
	raw, err := g.keys.GetString("ak:"+hash, &kv.GetOptions{CacheTTL: keyCacheTTL})
	if err != nil {
		return identity{}, http.StatusServiceUnavailable
	}
	if raw == nullValue {
		_ = g.keys.PutString("neg:"+hash, "1", &kv.PutOptions{
			ExpirationTTL: negativeTTL, // EXPECT kvttl
		})
		return identity{}, http.StatusUnauthorized
	}
	var rec edgeKey
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return identity{}, http.StatusServiceUnavailable
	}
	if rec.Status == "revoked" {
		return identity{}, http.StatusUnauthorized
	}
	if rv, err := g.keys.GetString("revoked_tokens:"+hash, nil); err != nil {
		return identity{}, http.StatusServiceUnavailable
	} else if rv != nullValue {
		return identity{}, http.StatusUnauthorized
	}
	now := time.Now().UTC()
	if rec.LastUsedAt == nil || now.Sub(*rec.LastUsedAt) > time.Hour {
		rec.LastUsedAt = &now
		if body, err := json.Marshal(rec); err == nil {
			_ = g.keys.PutString("ak:"+hash, string(body), nil) // EXPECT kvrace
		}
	}
	return identity{Hash: hash, Record: rec}, http.StatusOK
}

// authenticateLegacy accepts tokens minted by the previous gateway, which
// stored the developer ID directly under the token.
func (g *gateway) authenticateLegacy(tok string) (identity, int) {
	dev, err := g.keys.GetString("legacy:"+tok, &kv.GetOptions{CacheTTL: keyCacheTTL})
	if err != nil {
		return identity{}, http.StatusServiceUnavailable
	}
	if dev == "" { // EXPECT kvnull
		return identity{}, http.StatusUnauthorized
	}
	id, err := strconv.ParseUint(dev, 10, 64)
	if err != nil {
		return identity{}, http.StatusUnauthorized
	}
	return identity{Hash: "legacy:" + tok, Record: edgeKey{DeveloperID: uint(id), Plan: "legacy", Status: "active"}}, http.StatusOK
}
