//go:build js && wasm

package reserve

import (
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// Limiter caps booking attempts per client IP in fixed windows.
type Limiter struct {
	binding   string
	max       int
	windowVar string
	now       func() time.Time
}

// NewLimiter allows max attempts per window. The window is read from the
// environment variable windowVar (a Go duration), one minute if unset.
func NewLimiter(binding string, max int, windowVar string, now func() time.Time) *Limiter {
	return &Limiter{binding: binding, max: max, windowVar: windowVar, now: now}
}

func (l *Limiter) window() time.Duration {
	if d, err := time.ParseDuration(cloudflare.Getenv(l.windowVar)); err == nil && d > 0 {
		return d
	}
	return time.Minute
}

// Allow records an attempt from ip and reports whether it is within the limit.
func (l *Limiter) Allow(ip string) (bool, error) {
	ns, err := kv.NewNamespace(l.binding)
	if err != nil {
		return true, err
	}
	window := l.window()
	bucket := l.now().Truncate(window).Unix()
	key := fmt.Sprintf("ratelimit:%s:%d", ip, bucket)
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return true, err
	}
	count := 0
	if raw != "<null>" {
		if count, err = strconv.Atoi(raw); err != nil {
			return true, fmt.Errorf("ratelimit: bad counter %q: %w", raw, err)
		}
	}
	if count >= l.max {
		return false, nil
	}
	ttl := max(2*window, 3*time.Second)                                                                                 // EXPECT kvttl
	if err := ns.PutString(key, strconv.Itoa(count+1), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil { // EXPECT kvcounter|kvrace
		return true, err
	}
	return true, nil
}
