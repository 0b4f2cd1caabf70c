// Package apikeys issues and verifies tenant API keys. Only a hash of the
// secret is stored.
package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// ErrUnknownKey is returned for keys that do not verify.
var ErrUnknownKey = errors.New("apikeys: unknown key")

// Record describes an issued key.
type Record struct {
	ID        string   `json:"id"`
	Tenant    string   `json:"tenant"`
	Scopes    []string `json:"scopes"`
	CreatedAt int64    `json:"created_at"`
	Label     string   `json:"label"`
}

// Service manages keys.
type Service struct {
	ns *kv.Namespace
}

// New binds the TENANTS namespace.
func New() (*Service, error) {
	ns, err := kv.NewNamespace(config.BindingTenants)
	if err != nil {
		return nil, err
	}
	return &Service{ns: ns}, nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func recordKey(hash string) string { return "apikey:" + hash }

func keyringKey(tenant string) string { return "keyring:" + tenant }

// Issue creates a key and returns the secret, which is shown once.
func (s *Service) Issue(tenant, label string, scopes []string) (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	secret := "sk_live_" + hex.EncodeToString(buf)
	rec := Record{
		ID:        hex.EncodeToString(buf[:6]),
		Tenant:    tenant,
		Scopes:    scopes,
		CreatedAt: time.Now().Unix(),
		Label:     label,
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	if err := s.ns.PutString(recordKey(hashSecret(secret)), string(b), nil); err != nil {
		return "", err
	}
	if err := s.addToKeyring(tenant, rec); err != nil {
		return "", err
	}
	return secret, nil
}

// addToKeyring keeps the list shown on the "API keys" settings tab.
func (s *Service) addToKeyring(tenant string, rec Record) error {
	key := keyringKey(tenant)
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var ring []Record
	if !kvstore.Missing(raw) {
		if err := json.Unmarshal([]byte(raw), &ring); err != nil {
			return err
		}
	}
	ring = append(ring, rec)
	b, err := json.Marshal(ring)
	if err != nil {
		return err
	}
	return s.ns.PutString(key, string(b), nil) // EXPECT kvrace
}

// Verify resolves a presented secret to its record.
func (s *Service) Verify(presented string) (*Record, error) {
	if !strings.HasPrefix(presented, "sk_live_") {
		return nil, ErrUnknownKey
	}
	raw, err := s.ns.GetString(recordKey(hashSecret(presented)), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if kvstore.Missing(raw) {
		return nil, ErrUnknownKey
	}
	rec := &Record{}
	if err := json.Unmarshal([]byte(raw), rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// Touch remembers when a key was last used, for the settings page.
func (s *Service) Touch(rec *Record, at time.Time) error {
	return s.ns.PutString("lastused:"+rec.ID, strconv.FormatInt(at.Unix(), 10), &kv.PutOptions{
		ExpirationTTL: int(config.LastUsedRetention.Seconds()),
	})
}

// Keyring lists the tenant's keys.
func (s *Service) Keyring(tenant string) ([]Record, error) {
	raw, err := s.ns.GetString(keyringKey(tenant), nil)
	if err != nil {
		return nil, err
	}
	var ring []Record
	if kvstore.Missing(raw) {
		return ring, nil
	}
	return ring, json.Unmarshal([]byte(raw), &ring)
}
