// Package captchakv keeps base64Captcha answers in Workers KV so that a
// captcha drawn by one API replica can be checked by another.
package captchakv

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/mojocn/base64Captcha"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

var _ base64Captcha.Store = (*Store)(nil)

const keyPrefix = "captcha:"

// Store implements base64Captcha.Store. The library gives it no context, so
// every call runs with its own short timeout.
type Store struct {
	ns      *kvstore.Namespace
	ttl     time.Duration
	timeout time.Duration
	log     *slog.Logger
}

// New returns a store whose answers live for ttl.
func New(ns *kvstore.Namespace, ttl time.Duration, log *slog.Logger) *Store {
	return &Store{ns: ns, ttl: max(ttl, time.Minute), timeout: 3 * time.Second, log: log}
}

// Set implements base64Captcha.Store.
func (s *Store) Set(id, value string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	return s.ns.Put(ctx, keyPrefix+id, []byte(value), s.ttl)
}

// Get implements base64Captcha.Store. A missing or expired captcha yields
// "", which never matches an answer.
func (s *Store) Get(id string, clear bool) string {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	raw, err := s.ns.Get(ctx, keyPrefix+id)
	if err != nil {
		if !errors.Is(err, kvstore.ErrNotFound) {
			s.log.Warn("captcha lookup failed", "id", id, "err", err)
		}
		return ""
	}
	if clear {
		if err := s.ns.Delete(ctx, keyPrefix+id); err != nil { // EXPECT kvsession
			s.log.Warn("captcha clear failed", "id", id, "err", err)
		}
	}
	return string(raw)
}

// Verify implements base64Captcha.Store.
func (s *Store) Verify(id, answer string, clear bool) bool {
	want := s.Get(id, clear)
	return want != "" && strings.EqualFold(strings.TrimSpace(want), strings.TrimSpace(answer))
}
