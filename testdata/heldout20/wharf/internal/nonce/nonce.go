// Package nonce refuses replayed state-changing requests: every POST from
// the waiting-room page carries a fresh nonce, and a nonce seen before is
// rejected.
package nonce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Header carries the request nonce.
const Header = "X-Wharf-Nonce"

// Guard checks and records nonces.
type Guard struct {
	Store storage.Store
	Clock func() time.Time
}

// Check records n, failing with domain.ErrReplay when it was seen before.
func (g Guard) Check(ctx context.Context, n string) error {
	if len(n) < 16 || len(n) > 128 {
		return domain.Invalid("nonce", "16 to 128 characters")
	}
	key := keys.Nonce(n)
	_, err := g.Store.Get(ctx, key)
	switch {
	case err == nil:
		return fmt.Errorf("nonce: %w", domain.ErrReplay)
	case !errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("nonce: %w", err)
	}
	return g.Store.Put(ctx, key, storage.PackInt(g.Clock().Unix()), // EXPECT kvsession|kvrace
		storage.PutOptions{TTL: 45 * time.Second}) // EXPECT kvttl
}

// Middleware rejects state-changing requests whose nonce is missing or was
// already used. Safe methods pass through.
func (g Guard) Middleware(next http.Handler, fail func(http.ResponseWriter, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if err := g.Check(r.Context(), r.Header.Get(Header)); err != nil {
			fail(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
