//go:build js && wasm

package reviews

import (
	"context"
	"strconv"
	"sync"

	"example.com/saffron/internal/retry"
	"github.com/syumai/workers/cloudflare/kv"
)

// SubmitLimiter caps review submissions per client address per hour.
type SubmitLimiter struct {
	ns      func() (*kv.Namespace, error)
	perHour func() int
}

// NewSubmitLimiter returns a limiter over the given binding.
func NewSubmitLimiter(binding string, perHour func() int) *SubmitLimiter {
	return &SubmitLimiter{
		ns:      sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(binding) }),
		perHour: perHour,
	}
}

// Allow reports whether ip may submit another review this hour.
func (l *SubmitLimiter) Allow(ctx context.Context, ip string) (bool, error) {
	ns, err := l.ns()
	if err != nil {
		return false, err
	}
	key := "review-rate:" + ip + ":" + now().UTC().Format("2006010215")
	allowed := false
	err = retry.Do(ctx, 3, func(ctx context.Context) error {
		raw, err := ns.GetString(key, nil)
		if err != nil {
			return err
		}
		n := 0
		if raw != "<null>" {
			if n, err = strconv.Atoi(raw); err != nil {
				return retry.Permanent(err)
			}
		}
		if n >= l.perHour() {
			allowed = false
			return nil
		}
		allowed = true
		return ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter
	})
	return allowed, err
}
