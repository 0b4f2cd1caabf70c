// Package provisioning is the legacy enrollment flow: factory tooling asks for
// enrollment codes, and a device redeems one on first boot to bind its serial
// number to a tenant.
//
// It was written against cloudflare-go v0 and still uses the kvv0 adapter's
// seconds-based API.
package provisioning

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/big"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/storage"
)

// KV is the subset of kvv0.Adapter this package uses.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte) error
	PutWithTTL(ctx context.Context, key string, val []byte, ttlSeconds int) error
	PutBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error
	Delete(ctx context.Context, key string) error
}

var (
	ErrBadCode        = errors.New("provisioning: invalid or expired enrollment code")
	ErrTooManyTries   = errors.New("provisioning: too many attempts for this code")
	ErrAlreadyClaimed = errors.New("provisioning: serial already enrolled")
)

// Config is loaded from the legacy env vars in cmd/fleet-api.
type Config struct {
	CodeTTL          time.Duration
	MaxAttempts      int
	ReceiptTTLSecs   int
	AttemptTTLSecond int
}

// Code is the stored record behind an enrollment code.
type Code struct {
	Tenant  string    `json:"tenant"`
	Batch   string    `json:"batch,omitempty"`
	Created time.Time `json:"created"`
}

// Receipt is what a device gets back after enrolling.
type Receipt struct {
	Serial   string    `json:"serial"`
	Tenant   string    `json:"tenant"`
	Enrolled time.Time `json:"enrolled"`
}

// Service implements enrollment.
type Service struct {
	kv     KV
	store  storage.Store
	claims *claims
	cfg    Config
}

// New wires the service. kv and store are usually the same kvv0.Adapter.
func New(kv KV, store storage.Store, cfg Config) *Service {
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.AttemptTTLSecond == 0 {
		cfg.AttemptTTLSecond = 3600
	}
	return &Service{kv: kv, store: store, claims: &claims{kv: kv}, cfg: cfg}
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newCode() (string, error) {
	b := make([]byte, 10)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b[:5]) + "-" + string(b[5:]), nil
}

// IssueCode creates one enrollment code for tenant.
func (s *Service) IssueCode(ctx context.Context, tenant string) (string, error) {
	code, err := newCode()
	if err != nil {
		return "", err
	}
	raw, _ := json.Marshal(Code{Tenant: tenant, Created: time.Now().UTC()})
	if err := s.kv.PutWithTTL(ctx, "enroll:"+code, raw, int(s.cfg.CodeTTL)); err != nil { // EXPECT kvttl
		return "", fmt.Errorf("store code: %w", err)
	}
	return code, nil
}

// codePairs builds the bulk payload for a batch of codes.
func codePairs(codes []string, rec Code, ttl time.Duration) []*cloudflare.WorkersKVPair {
	raw, _ := json.Marshal(rec)
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(codes))
	for _, c := range codes {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "enroll:" + c,
			Value:         string(raw),
			ExpirationTTL: int(ttl.Seconds()),
		})
	}
	return pairs
}

// IssueBatch creates n codes for a factory batch in one request.
func (s *Service) IssueBatch(ctx context.Context, tenant, batch string, n int) ([]string, error) {
	codes := make([]string, 0, n)
	for range n {
		c, err := newCode()
		if err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	rec := Code{Tenant: tenant, Batch: batch, Created: time.Now().UTC()}
	if err := s.kv.PutBatch(ctx, codePairs(codes, rec, s.cfg.CodeTTL)); err != nil {
		return nil, err
	}
	return codes, nil
}

// Redeem binds serial to the code's tenant.
func (s *Service) Redeem(ctx context.Context, code, serial string) (Receipt, error) {
	if err := s.countAttempt(ctx, code); err != nil {
		return Receipt{}, err
	}
	raw, err := s.kv.Get(ctx, "enroll:"+code)
	if errors.Is(err, storage.ErrNotFound) {
		return Receipt{}, ErrBadCode
	}
	if err != nil {
		return Receipt{}, err
	}
	var c Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return Receipt{}, fmt.Errorf("decode code: %w", err)
	}
	if err := s.claims.claim(ctx, serial, c.Tenant); err != nil {
		return Receipt{}, err
	}
	if err := s.kv.Delete(ctx, "enroll:"+code); err != nil {
		log.Printf("provisioning: could not delete used code %s: %v", code, err)
	}
	rcpt := Receipt{Serial: serial, Tenant: c.Tenant, Enrolled: time.Now().UTC()}
	out, _ := json.Marshal(rcpt)
	if err := s.store.Set(ctx, "receipt:"+serial, out, time.Duration(s.cfg.ReceiptTTLSecs)); err != nil { // DEBATABLE kvttl
		log.Printf("provisioning: receipt for %s not stored: %v", serial, err)
	}
	return rcpt, nil
}

// countAttempt limits guessing against a single code.
func (s *Service) countAttempt(ctx context.Context, code string) error {
	key := "enroll-attempts:" + code
	n := 0
	if raw, err := s.kv.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= s.cfg.MaxAttempts {
		return ErrTooManyTries
	}
	return s.kv.PutWithTTL(ctx, key, []byte(strconv.Itoa(n+1)), s.cfg.AttemptTTLSecond) // EXPECT kvcounter
}

// claims guards the serial -> tenant binding.
type claims struct {
	kv KV
}

func (c *claims) claim(ctx context.Context, serial, tenant string) error {
	key := "claim:" + serial
	_, err := c.kv.Get(ctx, key)
	switch {
	case err == nil:
		return ErrAlreadyClaimed
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return c.kv.Put(ctx, key, []byte(tenant)) // EXPECT kvrace
}

// Owner returns the tenant a serial is enrolled to.
func (s *Service) Owner(ctx context.Context, serial string) (string, error) {
	raw, err := s.kv.Get(ctx, "claim:"+serial)
	if err != nil {
		return "", err
	}
	return string(raw), nil
}
