//go:build js && wasm

package edgeapi

import (
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
)

const requestsPerMinute = 240

// limited turns away clients that exceed requestsPerMinute.
func limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := allow(r.Header.Get("CF-Connecting-IP"), time.Now())
		if err != nil {
			log.Printf("rate limit: %v", err)
		}
		if !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func allow(ip string, now time.Time) (bool, error) {
	if ip == "" {
		return true, nil
	}
	window := strconv.FormatInt(now.Unix()/60, 10)
	key := keys.KindRate.Key(ip, window)
	v, err := edgekv.Game.GetString(key, nil)
	if err != nil {
		return true, err
	}
	n := 0
	if !edgekv.IsNull(v) {
		if n, err = strconv.Atoi(v); err != nil {
			return true, err
		}
	}
	if n >= requestsPerMinute {
		return false, nil
	}
	opts := &kv.PutOptions{ExpirationTTL: int(keys.KindRate.TTL().Seconds())}
	return true, edgekv.Game.PutString(key, strconv.Itoa(n+1), opts) // EXPECT kvcounter
}
