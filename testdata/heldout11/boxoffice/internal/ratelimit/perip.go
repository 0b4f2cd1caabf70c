//go:build js && wasm

package ratelimit

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/httpx"
)

// PerIP limits each client IP to limit requests per window.
func PerIP(binding string, limit int, window time.Duration) httpx.Middleware {
	return func(next httpx.Handler) httpx.Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			ns, err := kv.NewNamespace(binding)
			if err != nil {
				return err
			}
			ip := httpx.ClientIP(r)
			bucket := time.Now().Unix() / int64(window.Seconds())
			key := fmt.Sprintf("rl/ip/%s/%d", ip, bucket)
			raw, err := ns.GetString(key, nil)
			if err != nil {
				return err
			}
			n := 0
			if raw != "<null>" {
				if n, err = strconv.Atoi(raw); err != nil {
					n = 0
				}
			}
			if n >= limit {
				return &LimitError{Scope: "ip " + ip, Limit: limit, RetryAfter: window}
			}
			err = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ // EXPECT kvcounter
				ExpirationTTL: int(max(2*window, 10*time.Second).Seconds()), // EXPECT kvttl
			})
			if err != nil {
				return err
			}
			return next(w, r)
		}
	}
}
