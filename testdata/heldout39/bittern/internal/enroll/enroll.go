// Package enroll issues and redeems one-time device enrollment codes.
package enroll

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"bittern/internal/config"
	"bittern/internal/device"
	"bittern/internal/keys"
	"bittern/internal/kvstore"
)

// Code is the stored form of an enrollment code.
type Code struct {
	Code     string    `json:"code"`
	Tenant   string    `json:"tenant"`
	Model    string    `json:"model"`
	Tier     Tier      `json:"tier"`
	Batch    string    `json:"batch,omitempty"`
	IssuedAt time.Time `json:"issued_at"`
}

// Batch records the progress of a factory print run.
type Batch struct {
	ID      string    `json:"id"`
	Tenant  string    `json:"tenant"`
	Model   string    `json:"model"`
	Total   int       `json:"total"`
	Codes   []string  `json:"codes"`
	Started time.Time `json:"started"`
}

// RedeemError explains why a code was refused.
type RedeemError struct {
	Code   string
	Reason string
	Err    error
}

func (e *RedeemError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("code %s: %s: %v", e.Code, e.Reason, e.Err)
	}
	return fmt.Sprintf("code %s: %s", e.Code, e.Reason)
}

func (e *RedeemError) Unwrap() error { return e.Err }

// Service issues and redeems codes. Codes live in the tenant's namespace;
// failed attempts are counted per client address in a shared namespace.
type Service struct {
	ns      func(tenant string) kvstore.Namespace
	shared  kvstore.Namespace
	devices *device.Registry
	cfg     config.Enrollment
}

// New returns an enrollment service.
func New(ns func(string) kvstore.Namespace, shared kvstore.Namespace, devices *device.Registry, cfg config.Enrollment) *Service {
	return &Service{ns: ns, shared: shared, devices: devices, cfg: cfg}
}

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	s := codeEncoding.EncodeToString(b[:])
	return s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

func newBatchID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(b[:])
}

// policy returns where a code is stored and how long it stays valid.
func (s *Service) policy(t Tier, tenant, code string) (string, time.Duration) {
	ttl := t.TTL()
	if ttl == 0 {
		ttl = time.Duration(s.cfg.CodeTTL) // DEBATABLE kvttl
	}
	return keys.EnrollCode.Key(tenant, strings.ToUpper(code)), ttl
}

// Issue creates one code.
func (s *Service) Issue(ctx context.Context, tenant, model string, tier Tier) (Code, error) {
	return s.issue(ctx, tenant, model, tier, "")
}

// IssueBench creates a code for a lab bench.
func (s *Service) IssueBench(ctx context.Context, tenant, model string) (Code, error) {
	return s.issue(ctx, tenant, model, TierBench, "") // EXPECT kvttl
}

func (s *Service) issue(ctx context.Context, tenant, model string, tier Tier, batch string) (Code, error) {
	c := Code{Code: newCode(), Tenant: tenant, Model: model, Tier: tier, Batch: batch, IssuedAt: time.Now().UTC()}
	key, ttl := s.policy(tier, tenant, c.Code)
	b, err := json.Marshal(c)
	if err != nil {
		return Code{}, err
	}
	if err := s.ns(tenant).Put(ctx, key, b, ttl); err != nil {
		return Code{}, fmt.Errorf("issue %s code: %w", tier, err)
	}
	return c, nil
}

// IssueBatch prints n factory codes one by one, recording progress so an
// interrupted run can be picked up from the console.
func (s *Service) IssueBatch(ctx context.Context, tenant, model string, n int) (Batch, error) {
	ns := s.ns(tenant)
	b := Batch{ID: newBatchID(), Tenant: tenant, Model: model, Total: n, Started: time.Now().UTC()}
	progress := keys.EnrollBatch.Key(tenant, b.ID)
	for i := 0; i < n; i++ {
		c, err := s.issue(ctx, tenant, model, TierFactory, b.ID)
		if err != nil {
			return b, fmt.Errorf("batch %s: code %d of %d: %w", b.ID, i+1, n, err)
		}
		b.Codes = append(b.Codes, c.Code)
		raw, _ := json.Marshal(b)
		if err := ns.Put(ctx, progress, raw, TierFactory.TTL()); err != nil { // EXPECT kvhotkey
			return b, fmt.Errorf("batch %s: progress: %w", b.ID, err)
		}
	}
	return b, nil
}

// Redeem enrolls serial with code and consumes the code.
func (s *Service) Redeem(ctx context.Context, tenant, code, serial, clientIP string) (Code, error) {
	if err := s.checkAttempts(ctx, clientIP); err != nil {
		return Code{}, err
	}
	ns := s.ns(tenant)
	key, _ := s.policy(TierStandard, tenant, code)
	raw, err := ns.Get(ctx, key)
	if err != nil {
		if kvstore.IsNotFound(err) {
			refused := &RedeemError{Code: code, Reason: "unknown or expired code"}
			if ferr := s.noteFailure(ctx, clientIP); ferr != nil {
				return Code{}, errors.Join(refused, ferr)
			}
			return Code{}, refused
		}
		return Code{}, fmt.Errorf("redeem: %w", err)
	}
	var c Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return Code{}, &RedeemError{Code: code, Reason: "corrupt record", Err: err}
	}
	if err := s.devices.Claim(ctx, tenant, serial, c.Model); err != nil {
		return Code{}, &RedeemError{Code: code, Reason: "claim failed", Err: err}
	}
	if err := ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return c, fmt.Errorf("redeem %s: consume: %w", code, err)
	}
	return c, nil
}

func attemptsKey(ip string) string { return keys.EnrollAttempts.Key(ip) }

func (s *Service) checkAttempts(ctx context.Context, ip string) error {
	raw, err := s.shared.Get(ctx, attemptsKey(ip))
	if kvstore.IsNotFound(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("attempts for %s: %w", ip, err)
	}
	if n, _ := strconv.Atoi(string(raw)); n >= s.cfg.MaxAttempts {
		return &RedeemError{Reason: "too many failed attempts from " + ip}
	}
	return nil
}

func (s *Service) noteFailure(ctx context.Context, ip string) error {
	key := attemptsKey(ip)
	n := 0
	raw, err := s.shared.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("attempts for %s: %w", ip, err)
		}
	case !kvstore.IsNotFound(err):
		return fmt.Errorf("attempts for %s: %w", ip, err)
	}
	return s.shared.Put(ctx, key, []byte(strconv.Itoa(n+1)), 15*time.Minute) // EXPECT kvcounter|kvrace
}

// Pending reports how many codes of tenant are waiting to be redeemed.
func (s *Service) Pending(ctx context.Context, tenant string) (int, error) {
	page, err := s.ns(tenant).ListPage(ctx, kvstore.Query{Prefix: keys.EnrollCode.Scan(tenant)}) // EXPECT kvlist
	if err != nil {
		return 0, fmt.Errorf("pending codes of %s: %w", tenant, err)
	}
	return len(page.Keys), nil
}
