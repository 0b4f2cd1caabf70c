package activation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
	"gadwall/internal/license"
	"gadwall/internal/retry"
	"gadwall/internal/tenant"
)

// ErrNotActivated is returned for a grant request from an unknown machine.
var ErrNotActivated = errors.New("activation: machine is not activated")

// graceGrant is how long a machine whose grant lapsed may keep running while
// it has no connectivity.
const graceGrant = 72 * time.Hour

// Grant lets the desktop app run without contacting the server until
// ExpiresAt. The app verifies Signature against its embedded public key.
type Grant struct {
	ID        string          `json:"id"`
	License   keys.LicenseID  `json:"license"`
	Machine   string          `json:"machine"`
	Plan      string          `json:"plan"`
	Features  map[string]bool `json:"features,omitempty"`
	IssuedAt  time.Time       `json:"issued_at"`
	ExpiresAt time.Time       `json:"expires_at"`
	Signature string          `json:"signature,omitempty"`
}

// Signer holds the grant signing key.
type Signer struct{ Key ed25519.PrivateKey }

func (sg Signer) sign(g *Grant) ([]byte, error) {
	g.ID, g.Signature = rand.Text(), ""
	payload, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	g.Signature = base64.RawStdEncoding.EncodeToString(ed25519.Sign(sg.Key, payload))
	return json.Marshal(g)
}

// IssueGrant signs an offline grant for an activated machine and keeps a
// copy so that support can see and revoke it.
func (s *Service) IssueGrant(ctx context.Context, t *tenant.Tenant, signer Signer, id keys.LicenseID, machine string) (*Grant, error) {
	lic, err := license.NewLicenses(t.KV, s.clock).Find(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := lic.Usable(); err != nil {
		return nil, err
	}
	if !lic.HasMachine(machine) {
		return nil, ErrNotActivated
	}
	now := s.clock.Now()
	g := &Grant{License: id, Machine: machine, Plan: lic.Plan, Features: lic.Features, IssuedAt: now, ExpiresAt: now.Add(s.validity)}
	if !lic.ExpiresAt.IsZero() && lic.ExpiresAt.Before(g.ExpiresAt) {
		g.ExpiresAt = lic.ExpiresAt
	}
	b, err := signer.sign(g)
	if err != nil {
		return nil, err
	}
	return g, s.grants.PutUntil(ctx, keys.GrantKey{License: id, Machine: machine}, b, g.ExpiresAt.Add(24*time.Hour))
}

// ExtendGrant re-signs an existing grant with a later expiry, used when a
// renewal is paid while the machine is offline.
func (s *Service) ExtendGrant(ctx context.Context, signer Signer, id keys.LicenseID, machine string, until time.Time) (*Grant, error) {
	k := keys.GrantKey{License: id, Machine: machine}
	raw, err := retry.Value(ctx, retry.Default, func(ctx context.Context) ([]byte, error) { return s.grants.Get(ctx, k) })
	if err != nil {
		return nil, err
	}
	var old Grant
	if err := json.Unmarshal(raw, &old); err != nil {
		return nil, err
	}
	g := &Grant{License: old.License, Machine: old.Machine, Plan: old.Plan, Features: old.Features, IssuedAt: s.clock.Now(), ExpiresAt: until}
	b, err := signer.sign(g)
	if err != nil {
		return nil, err
	}
	api, rc, ns := s.grants.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{ // DEBATABLE kvrace
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        k.String(),
			Value:      string(b),
			Expiration: int(g.ExpiresAt.UnixMilli()), // EXPECT kvttl
		}},
	})
	return g, err
}

// GraceGrant leaves a marker so that support can see which machines were
// let run past their grant.
func (s *Service) GraceGrant(ctx context.Context, id keys.LicenseID, machine string) error {
	api, rc, ns := s.grants.API()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "grace/" + keys.GrantKey{License: id, Machine: machine}.String(),
			Value:         s.clock.Now().Format(time.RFC3339),
			ExpirationTTL: int(graceGrant), // EXPECT kvttl
		}},
	})
	return err
}

// RevokeGrant stops a grant from being renewed and lists it as revoked so
// that apps refuse it when they come online.
func (s *Service) RevokeGrant(ctx context.Context, id keys.LicenseID, machine, reason string) error {
	k := keys.GrantKey{License: id, Machine: machine}
	raw, err := s.grants.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var g Grant
	if err := json.Unmarshal(raw, &g); err != nil {
		return err
	}
	if err := s.grants.PutTTL(ctx, keys.RevokedGrant(g.ID), []byte(reason), s.validity+time.Hour); err != nil { // EXPECT kvsession
		return err
	}
	return s.grants.Delete(ctx, k) // DEBATABLE kvsession
}
