// Package hostnames manages custom hostnames that tenants point at the edge
// (shop.customer.com -> tenant). Records live in the "hostnames" KV namespace
// that the edge router reads directly, so this package talks to the SDK
// without going through the storage ports.
package hostnames

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

var (
	ErrHostnameTaken    = errors.New("hostnames: hostname already claimed")
	ErrNotOwner         = errors.New("hostnames: hostname belongs to another tenant")
	ErrUnknownHostname  = errors.New("hostnames: unknown hostname")
	ErrTooManyAttempts  = errors.New("hostnames: too many verification attempts")
	errUnexpectedStatus = errors.New("hostnames: unexpected status")
)

// Config tunes the registry.
type Config struct {
	AccountID         string
	NamespaceID       string
	ChallengeTTL      time.Duration
	OriginCacheTTL    time.Duration
	MaxVerifyAttempts int
}

// Origin is where the edge forwards a custom hostname's traffic.
type Origin struct {
	Host     string `json:"host"`
	TenantID string `json:"tenant_id"`
	TLS      string `json:"tls"`
}

// OriginLookup asks the SaaS custom-hostnames API for a hostname's origin.
type OriginLookup func(ctx context.Context, hostname string) (Origin, error)

type hostRecord struct {
	TenantID  string    `json:"tenant_id"`
	ClaimedAt time.Time `json:"claimed_at"`
	Verified  bool      `json:"verified"`
}

// Registry is the custom-hostname registry.
type Registry struct {
	client *cloudflare.Client
	cfg    Config
	lookup OriginLookup
	log    *slog.Logger
}

// NewRegistry returns a registry writing to cfg.NamespaceID.
func NewRegistry(client *cloudflare.Client, cfg Config, lookup OriginLookup, log *slog.Logger) *Registry {
	return &Registry{client: client, cfg: cfg, lookup: lookup, log: log}
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (r *Registry) read(ctx context.Context, key string) ([]byte, error) {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.cfg.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w %d", errUnexpectedStatus, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

// Claim registers hostname for tenantID.
func (r *Registry) Claim(ctx context.Context, hostname, tenantID string) error {
	hostname = strings.ToLower(strings.TrimSuffix(hostname, "."))
	key := "host:" + hostname
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.cfg.AccountID),
	})
	if err == nil {
		res.Body.Close()
		return ErrHostnameTaken
	}
	if !notFound(err) {
		return fmt.Errorf("hostnames: check %s: %w", hostname, err)
	}
	body, err := json.Marshal(hostRecord{TenantID: tenantID, ClaimedAt: time.Now().UTC()})
	if err != nil {
		return err
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.cfg.AccountID),
		Value:     cloudflare.F(string(body)),
	})
	if err != nil {
		return fmt.Errorf("hostnames: claim %s: %w", hostname, err)
	}
	r.log.InfoContext(ctx, "hostname claimed", "hostname", hostname, "tenant", tenantID)
	return nil
}

// Release removes a hostname claim.
func (r *Registry) Release(ctx context.Context, hostname string) error {
	_, err := r.client.KV.Namespaces.Values.Delete(ctx, r.cfg.NamespaceID, "host:"+hostname, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(r.cfg.AccountID),
	})
	if err != nil && !notFound(err) {
		return err
	}
	return nil
}

// Transfer moves hostname from one tenant to another. The record is marked
// unverified until the new owner completes the challenge.
func (r *Registry) Transfer(ctx context.Context, hostname, fromTenant, toTenant string) error {
	get := r.client.KV.Namespaces.Values.Get
	update := r.client.KV.Namespaces.Values.Update
	key := "host:" + hostname

	res, err := get(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.cfg.AccountID)})
	if notFound(err) {
		return ErrUnknownHostname
	}
	if err != nil {
		return err
	}
	var rec hostRecord
	err = json.NewDecoder(res.Body).Decode(&rec)
	res.Body.Close()
	if err != nil {
		return fmt.Errorf("hostnames: decode %s: %w", hostname, err)
	}
	if rec.TenantID != fromTenant {
		return ErrNotOwner
	}
	rec.TenantID = toTenant
	rec.Verified = false
	body, _ := json.Marshal(rec)
	if _, err := update(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.cfg.AccountID),
		Value:     cloudflare.F(string(body)),
	}); err != nil {
		return err
	}
	return r.holdTraffic(ctx, hostname, toTenant)
}

// holdTraffic tells the edge router to serve a holding page while DNS for a
// transferred hostname settles.
func (r *Registry) holdTraffic(ctx context.Context, hostname, tenantID string) error {
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, "transfer-hold:"+hostname, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.cfg.AccountID),
		Value:      cloudflare.F(tenantID),
		Expiration: cloudflare.F(float64(time.Now().Add(45 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// IssueChallenge stores an HTTP-01 style token the edge serves under
// /.well-known/edgeconf-challenge.
func (r *Registry) IssueChallenge(ctx context.Context, hostname string) (string, error) {
	token := randomToken()
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, "challenge:"+hostname, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.cfg.AccountID),
		Value:         cloudflare.F(token),
		ExpirationTTL: cloudflare.F(float64(r.cfg.ChallengeTTL)), // EXPECT kvttl
	})
	if err != nil {
		return "", fmt.Errorf("hostnames: store challenge: %w", err)
	}
	return token, nil
}

// Probe writes a nonce the edge echoes back, to check that a hostname
// already routes to us.
func (r *Registry) Probe(ctx context.Context, hostname string) (string, error) {
	nonce := randomToken()
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, "probe:"+hostname, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.cfg.AccountID),
		Value:         cloudflare.F(nonce),
		ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
	})
	return nonce, err
}

// ReportHealth records the last health-check result; the edge treats a
// missing key as "unknown".
func (r *Registry) ReportHealth(ctx context.Context, hostname string, healthy bool, certNotAfter time.Time) error {
	status := "down"
	if healthy {
		status = "up"
	}
	if _, err := r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, "health:"+hostname, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.cfg.AccountID),
		Value:         cloudflare.F(status),
		ExpirationTTL: cloudflare.F(float64(60)),
	}); err != nil {
		return err
	}
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, "cert-expiry:"+hostname, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.cfg.AccountID),
		Value:      cloudflare.F(certNotAfter.UTC().Format(time.RFC3339)),
		Expiration: cloudflare.F(float64(certNotAfter.Unix())),
	})
	return err
}

// RecordVerifyAttempt counts a failed ownership check and reports whether
// the hostname has exceeded its attempts for the day.
func (r *Registry) RecordVerifyAttempt(ctx context.Context, hostname string) (int, error) {
	key := "verify-attempts:" + hostname
	attempts := 0
	raw, err := r.read(ctx, key)
	switch {
	case err == nil:
		attempts, _ = strconv.Atoi(strings.TrimSpace(string(raw)))
	case !notFound(err):
		return 0, err
	}
	attempts++
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(r.cfg.AccountID),
		Value:         cloudflare.F(strconv.Itoa(attempts)),
		ExpirationTTL: cloudflare.F(float64(24 * 60 * 60)),
	})
	if err != nil {
		return attempts, err
	}
	if attempts > r.cfg.MaxVerifyAttempts {
		return attempts, ErrTooManyAttempts
	}
	return attempts, nil
}

// Origin returns the origin for hostname, caching the SaaS API's answer.
func (r *Registry) Origin(ctx context.Context, hostname string) (Origin, error) {
	key := "origin:" + hostname
	raw, err := r.read(ctx, key)
	if err == nil {
		var o Origin
		if jerr := json.Unmarshal(raw, &o); jerr == nil {
			return o, nil
		}
	} else if !notFound(err) {
		r.log.WarnContext(ctx, "origin cache read failed", "hostname", hostname, "err", err)
	}

	o, err := r.lookup(ctx, hostname)
	if err != nil {
		return Origin{}, err
	}
	body, _ := json.Marshal(o)
	if _, err := r.client.KV.Namespaces.Values.Update(ctx, r.cfg.NamespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.cfg.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(r.cfg.OriginCacheTTL.Seconds()),
	}); err != nil {
		r.log.WarnContext(ctx, "origin cache fill failed", "hostname", hostname, "err", err)
	}
	return o, nil
}

func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
