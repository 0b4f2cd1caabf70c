// Package presence keeps a lifetime that the configuration's method
// returns in a field, for a later put through the port.
package presence

import (
	"context"
	"time"

	"kvlint.test/ports/settings"
	"kvlint.test/ports/store"
)

type Service struct {
	c   store.Cache
	ttl time.Duration
}

func New(c store.Cache, cfg settings.Config) *Service {
	return &Service{c: c, ttl: cfg.PresenceTTL()}
}

func (s *Service) CheckIn(ctx context.Context, member string) error {
	return s.c.Put(ctx, "presence:"+member, []byte("1"), store.WithTTL(s.ttl))
}
