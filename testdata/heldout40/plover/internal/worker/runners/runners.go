//go:build js && wasm

// Package runners registers CI runners. An operator creates a one-time
// registration code in the dashboard, the runner exchanges it for a
// long-lived token and then authenticates every job poll with that token.
package runners

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"plover/internal/domain"
	"plover/internal/edgekv"
	"plover/internal/enc"
	"plover/internal/keys"
)

const (
	codeTTL  = 15 * time.Minute
	tokenTTL = 30 * 24 * time.Hour
	seenTTL  = 24 * time.Hour
	// revokedTTL covers the longest token lifetime still in circulation.
	revokedTTL = tokenTTL
)

var (
	ErrBadCode  = errors.New("runners: unknown or used registration code")
	ErrBadToken = errors.New("runners: unknown token")
	ErrRevoked  = errors.New("runners: token revoked")
)

// Registry keeps runner tokens and registration codes in the AUTH namespace.
type Registry struct {
	*edgekv.Store
	now func() time.Time
}

// New returns a Registry on st.
func New(st *edgekv.Store) *Registry {
	return &Registry{Store: st, now: time.Now}
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// IssueCode creates a registration code for org.
func (r *Registry) IssueCode(org, issuer string) (string, error) {
	code := newID(12)
	raw, err := enc.Gob(domain.RegCode{Org: org, Issuer: issuer, Created: r.now()})
	if err != nil {
		return "", err
	}
	if err := r.Put(keys.RegCodeKey{Code: code}, raw, codeTTL); err != nil {
		return "", err
	}
	return code, nil
}

// Register exchanges a registration code for a runner token.
func (r *Registry) Register(ctx context.Context, code, name string, labels []string) (token string, err error) {
	defer enc.Recover(&err)

	raw, ok, err := r.Get(keys.RegCodeKey{Code: code})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrBadCode
	}
	var rc domain.RegCode
	if err := enc.UnGob(raw, &rc); err != nil {
		return "", err
	}

	token = newID(24)
	now := r.now()
	runner := domain.Runner{ID: newID(8), Org: rc.Org, Name: name, Labels: labels, Created: now, LastSeen: now}

	uow := r.Batch()
	uow.Create(keys.TokenKey{ID: token}, enc.Must(enc.Gob(runner)), tokenTTL) // DEBATABLE kvsession
	uow.Delete(keys.RegCodeKey{Code: code})                                   // EXPECT kvsession
	if err := uow.Commit(ctx); err != nil {
		return "", fmt.Errorf("runners: register: %w", err)
	}
	return token, nil
}

// Authenticate resolves a token to its runner.
func (r *Registry) Authenticate(token string) (*domain.Runner, error) {
	if _, revoked, err := r.Get(keys.Key(keys.Revoked.With(token))); err != nil {
		return nil, err
	} else if revoked {
		return nil, ErrRevoked
	}
	raw, ok, err := r.GetCached(keys.TokenKey{ID: token}, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadToken
	}
	var run domain.Runner
	if err := enc.UnGob(raw, &run); err != nil {
		return nil, err
	}
	if err := r.Put(keys.SeenKey{ID: token}, enc.Stamp(r.now()), seenTTL); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &run, nil
}

// Renew extends the lifetime of a token that is still in use, so that
// runners polling every few seconds never have to re-register.
func (r *Registry) Renew(token string) error {
	key := keys.TokenKey{ID: token}
	raw, ok, err := r.Get(key)
	if err != nil || !ok {
		return errors.Join(ErrBadToken, err)
	}
	var run domain.Runner
	if err := enc.UnGob(raw, &run); err != nil {
		return err
	}
	run.LastSeen = r.now()
	return r.Put(key, enc.Must(enc.Gob(run)), tokenTTL) // EXPECT kvsession|kvrace
}

// LastSeen reports when the runner behind token last polled.
func (r *Registry) LastSeen(token string) (time.Time, bool, error) {
	return edgekv.Load(r.Store, keys.RunnerSeen.With(token), enc.ParseStamp)
}

// Deregister removes a runner when its operator shuts it down.
func (r *Registry) Deregister(token string) error {
	return r.Delete(keys.TokenKey{ID: token}) // EXPECT kvsession
}

// Revoke blocks a token that leaked. The record stays in place so that the
// dashboard can still show the runner.
func (r *Registry) Revoke(token, reason string) error {
	return r.Put(keys.Key(keys.Revoked.With(token)), reason, revokedTTL) // EXPECT kvsession
}

// Labels returns the labels of the runner behind token, reading through the
// edge cache because labels change only on re-registration.
func (r *Registry) Labels(token string) ([]string, error) {
	run, ok, err := edgekv.Load(r.Store, keys.RunnerToken.With(token), func(s string) (domain.Runner, error) {
		var run domain.Runner
		err := enc.UnGob(s, &run)
		return run, err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadToken
	}
	return run.Labels, nil
}
