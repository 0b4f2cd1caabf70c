// Package pairing issues and redeems the short codes that attach a new
// sensor gateway to a greenhouse.
package pairing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

const (
	codeLifetime    = 10 * time.Minute
	failureWindow   = 15 * time.Minute
	maxFailures     = 5
	batchCodeWindow = 72 * time.Hour
)

var (
	ErrInvalidCode   = errors.New("pairing: invalid or expired code")
	ErrAlreadyPaired = errors.New("pairing: device already paired")
	ErrLocked        = errors.New("pairing: too many attempts")
)

// Code is an outstanding pairing code.
type Code struct {
	Code       string    `json:"code"`
	Greenhouse string    `json:"gh"`
	Serial     string    `json:"serial,omitempty"`
	IssuedBy   string    `json:"by"`
	ExpiresAt  time.Time `json:"exp"`
}

// Service issues and redeems codes.
type Service struct {
	NS *kvrest.Namespace
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Issue creates a code an installer types into a gateway.
func (s *Service) Issue(ctx context.Context, gh, by string) (Code, error) {
	digits, err := sixDigits()
	if err != nil {
		return Code{}, err
	}
	c := Code{Code: digits, Greenhouse: gh, IssuedBy: by, ExpiresAt: time.Now().Add(codeLifetime)}
	raw, _ := json.Marshal(c)
	return c, s.NS.PutUntil(ctx, "pair:"+c.Code, raw, c.ExpiresAt) // DEBATABLE kvsession
}

// ProvisionBatch pre-issues codes for gateways shipped to a greenhouse, one
// per serial number, valid until the install window ends.
func (s *Service) ProvisionBatch(ctx context.Context, gh, by string, serials []string, installBy time.Time) ([]Code, error) {
	rt := stream.NewRuntime(ctx, 64)
	codes := stream.Via(stream.FromSlice(rt, serials), stream.Map(func(_ context.Context, serial string) (Code, error) {
		digits, err := sixDigits()
		if err != nil {
			return Code{}, err
		}
		return Code{Code: digits, Greenhouse: gh, Serial: serial, IssuedBy: by, ExpiresAt: installBy}, nil
	}))
	var issued []Code
	sink := kvrest.PutSink[Code]{
		NS:  s.NS,
		Key: func(c Code) string { return "pair:" + c.Code },
		Value: func(c Code) ([]byte, error) {
			issued = append(issued, c)
			return json.Marshal(c)
		},
		TTL: func(c Code) time.Duration { return time.Until(c.ExpiresAt) }, // EXPECT kvttl
	}
	stream.To(codes, sink.Sink())
	return issued, rt.Wait()
}

// ReissueBatch re-stores codes that were issued for a shipment, keeping each
// one at least until the end of the default install window.
func (s *Service) ReissueBatch(ctx context.Context, codes []Code) error {
	rt := stream.NewRuntime(ctx, 64)
	sink := kvrest.PutSink[Code]{
		NS:    s.NS,
		Key:   func(c Code) string { return "pair:" + c.Code },
		Value: func(c Code) ([]byte, error) { return json.Marshal(c) },
		TTL: func(c Code) time.Duration {
			return max(time.Until(c.ExpiresAt), batchCodeWindow)
		},
	}
	stream.To(stream.FromSlice(rt, codes), sink.Sink())
	return rt.Wait()
}

// Redeem attaches the gateway with serial to the code's greenhouse.
func (s *Service) Redeem(ctx context.Context, code, serial string) (Code, error) {
	var c Code
	if err := s.NS.GetJSON(ctx, "pair:"+code, &c); err != nil {
		if errors.Is(err, kvrest.ErrNotFound) {
			if ferr := s.recordFailure(ctx, serial); ferr != nil {
				return Code{}, ferr
			}
			return Code{}, ErrInvalidCode
		}
		return Code{}, err
	}
	if c.Serial != "" && c.Serial != serial {
		return Code{}, ErrInvalidCode
	}
	if err := s.claim(ctx, serial, c.Greenhouse); err != nil {
		return Code{}, err
	}
	if err := s.NS.Delete(ctx, "pair:"+code); err != nil { // EXPECT kvsession
		return Code{}, err
	}
	return c, nil
}

func (s *Service) claim(ctx context.Context, serial, gh string) error {
	key := "device:owner:" + serial
	_, err := s.NS.Get(ctx, key)
	switch {
	case err == nil:
		return ErrAlreadyPaired
	case !errors.Is(err, kvrest.ErrNotFound):
		return err
	}
	return s.NS.Put(ctx, key, []byte(gh), map[string]any{"paired_at": time.Now().Unix()}) // EXPECT kvrace
}

func (s *Service) recordFailure(ctx context.Context, serial string) error {
	key := "pair-attempts:" + serial
	n := 0
	if raw, err := s.NS.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	if n >= maxFailures {
		return ErrLocked
	}
	return s.NS.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), failureWindow) // EXPECT kvcounter|kvrace
}
