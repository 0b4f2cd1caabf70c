// Package rotation retires API keys at the end of their lifetime and
// rotates the signing keys the edge uses for console tokens.
package rotation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/store"
)

// Ledger is the billing database's view of key lifetimes.
type Ledger interface {
	// Retired returns the subset of hashes whose grace period is over.
	Retired(ctx context.Context, hashes []string) ([]string, error)
}

// Job runs once a day from the scheduler.
type Job struct {
	ns     cfkv.Namespace
	st     store.Store
	ledger Ledger
	grace  time.Duration
	count  func(ctx context.Context, name string, delta int64) error
	log    *slog.Logger
	now    func() time.Time
}

// Option configures a Job.
type Option func(*Job)

// WithCounter reports rotated keys to fn.
func WithCounter(fn func(ctx context.Context, name string, delta int64) error) Option {
	return func(j *Job) { j.count = fn }
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(j *Job) { j.log = l } }

// New returns a Job.
func New(ns cfkv.Namespace, st store.Store, ledger Ledger, grace time.Duration, opts ...Option) *Job {
	j := &Job{ns: ns, st: st, ledger: ledger, grace: grace, log: slog.Default(), now: time.Now,
		count: func(context.Context, string, int64) error { return nil }}
	for _, o := range opts {
		o(j)
	}
	return j
}

// Run retires due keys and publishes fresh signing keys.
func (j *Job) Run(ctx context.Context) error {
	horizon := j.now().Add(j.grace)
	page, err := j.ns.Keys().List(ctx, j.ns.ID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(j.ns.AccountID), Prefix: cloudflare.F(keys.APIKeyPrefix), Limit: cloudflare.F(1000.0)}) // EXPECT kvlist
	if err != nil {
		return fmt.Errorf("list keys: %w", err)
	}
	var due []string
	for _, k := range page.Result {
		if k.Expiration == 0 || time.Unix(int64(k.Expiration), 0).After(horizon) {
			continue
		}
		due = append(due, strings.TrimPrefix(k.Name, keys.APIKeyPrefix))
	}
	retired, err := j.ledger.Retired(ctx, due)
	if err != nil {
		return err
	}
	for _, hash := range retired {
		_, err := j.ns.Values().Delete(ctx, j.ns.ID, keys.APIKey(hash), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(j.ns.AccountID)}) // EXPECT kvsession
		if err != nil && !cfkv.IsNotFound(err) {
			return fmt.Errorf("retire %s: %w", hash, err)
		}
	}
	if err := j.count(ctx, "keys_retired", int64(len(retired))); err != nil {
		j.log.Warn("counter", "err", err)
	}
	return j.publishJWKS(ctx)
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
}

// publishJWKS writes the public half of a new console signing key. The
// private half goes to the secrets manager (not shown).
func (j *Job) publishJWKS(ctx context.Context) error {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: j.now().UTC().Format("20060102")}}}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return j.st.Put(ctx, keys.JWKS, b, store.WithTTL(72*time.Hour))
}
