//go:build !js

package employers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/kvrest"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

// Security handles employer credentials from the back office.
type Security struct {
	store *kvrest.Store
}

// NewSecurity returns a Security.
func NewSecurity(store *kvrest.Store) *Security { return &Security{store: store} }

// sessionIndex is the list of session IDs an employer holds, stored as one
// newline-separated value.
type sessionIndex []string

func (si sessionIndex) encode() []byte { return []byte(strings.Join(si, "\n")) }

func decodeSessionIndex(b []byte) sessionIndex {
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\n")
}

// ChangePassword stores the new hash and signs the employer out everywhere.
func (s *Security) ChangePassword(ctx context.Context, emp records.Employer, newHash string) (err error) {
	emp.PasswordHash = newHash
	raw, err := json.Marshal(emp)
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, keys.Login(emp.Email), raw, 0); err != nil {
		return err
	}

	ikey := keys.EmployerSessions(emp.ID)
	idxRaw, ok, err := s.store.Lookup(ctx, ikey)
	if err != nil || !ok {
		return err
	}
	defer func() {
		if err == nil {
			err = s.store.Delete(ctx, ikey) // DEBATABLE kvsession
		}
	}()
	var errs []error
	for _, id := range decodeSessionIndex(idxRaw) {
		if derr := s.store.Delete(ctx, keys.Session(id)); derr != nil { // EXPECT kvsession
			errs = append(errs, derr)
		}
	}
	return errors.Join(errs...)
}

// RevokeToken adds a signed API token's ID to the revocation list that the
// Worker consults before accepting a token.
func (s *Security) RevokeToken(ctx context.Context, jti string, until time.Time) error {
	ttl := max(time.Until(until), time.Minute)
	return s.store.Put(ctx, "revoked/token/"+jti, []byte("1"), ttl) // EXPECT kvsession
}

// ForgetDevice removes the remembered-device record of a browser.
func (s *Security) ForgetDevice(ctx context.Context, employerID, sessionID string) error {
	return s.store.Delete(ctx, keys.Session(sessionID)) // EXPECT kvsession
}

// IssueAPIKey mints a long-lived API key for an employer's ATS integration.
func (s *Security) IssueAPIKey(ctx context.Context, employerID string) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b)
	rec, err := json.Marshal(map[string]string{"employer": employerID, "created": time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return "", err
	}
	if err := s.store.Put(ctx, "apikey/"+keys.EmailHash(key), rec, 0); err != nil {
		return "", err
	}
	return key, nil
}

// Settings are per-employer notification preferences.
type Settings struct {
	DigestEmail bool   `json:"digest_email"`
	Timezone    string `json:"tz"`
}

// LoadSettings returns an employer's settings or the defaults.
func (s *Security) LoadSettings(ctx context.Context, employerID string) (Settings, error) {
	def := Settings{DigestEmail: true, Timezone: "UTC"}
	raw, err := s.store.Get(ctx, "settings/"+employerID)
	if err != nil {
		return def, fmt.Errorf("employers: settings: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return def, nil
	}
	var st Settings
	if err := json.Unmarshal(raw, &st); err != nil {
		return def, err
	}
	return st, nil
}

// LoadSettingsOrDefault is LoadSettings for callers that tolerate a missing
// record but not an outage.
func (s *Security) LoadSettingsOrDefault(ctx context.Context, employerID string) (Settings, error) {
	def := Settings{DigestEmail: true, Timezone: "UTC"}
	raw, ok, err := s.store.Lookup(ctx, "settings/"+employerID)
	if err != nil {
		return def, err
	}
	if !ok {
		return def, nil
	}
	var st Settings
	err = json.Unmarshal(raw, &st)
	return st, err
}
