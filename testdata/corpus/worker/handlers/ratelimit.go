package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const requestsPerMinute = 100

// RateLimit is middleware that limits each client IP.
func RateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		limits, err := kv.NewNamespace("RATE_LIMITS")
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}

		if blocked, _ := limits.GetString("ratelimit:blocked:"+ip, nil); blocked != "<null>" {
			until, _ := strconv.ParseInt(blocked, 10, 64)
			if time.Now().Unix() < until {
				w.Header().Set("Retry-After", strconv.FormatInt(until-time.Now().Unix(), 10))
				http.Error(w, "blocked", http.StatusTooManyRequests)
				return
			}
		}

		window := time.Now().Unix() / 60
		key := "rl:" + ip + ":" + strconv.FormatInt(window, 10)
		v, _ := limits.GetString(key, nil) // DEBATABLE kvnull
		count, _ := strconv.Atoi(v)
		if count >= requestsPerMinute {
			// Block abusive clients for five minutes. The value is the unblock time.
			until := time.Now().Unix() + 300
			_ = limits.PutString("ratelimit:blocked:"+ip, strconv.FormatInt(until, 10), &kv.PutOptions{ExpirationTTL: 300})
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_ = limits.PutString(key, strconv.Itoa(count+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter
		next.ServeHTTP(w, r)
	})
}
