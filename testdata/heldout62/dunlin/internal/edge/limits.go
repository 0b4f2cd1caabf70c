//go:build js && wasm

package edge

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// anonPerMinute is the request budget of an anonymous client IP.
const anonPerMinute = 120

// limit meters API calls per key in D1 and throttles anonymous traffic per
// client IP.
func (e *Env) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer dk_"); ok {
			if !e.meterAPI(w, r, key) {
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/v1/builds/") {
			next.ServeHTTP(w, r) // runners authenticate with their own token
			return
		}
		ip := r.Header.Get("CF-Connecting-IP")
		window := time.Now().UTC().Truncate(time.Minute).Unix()
		key := "rl:" + ip + ":" + strconv.FormatInt(window, 10)
		v, err := e.sessions.GetString(key, nil)
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		n := 0
		if v != missing {
			n, _ = strconv.Atoi(v)
		}
		if n >= anonPerMinute {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_ = e.sessions.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
		next.ServeHTTP(w, r)
	})
}

// meterAPI counts the call in D1 and rejects it once the key's monthly
// allowance is spent. The price of a call depends on the minute slot of
// the week (rate card published by the metering rollup).
func (e *Env) meterAPI(w http.ResponseWriter, r *http.Request, apiKey string) bool {
	keyID, _, _ := strings.Cut(apiKey, "_")
	now := time.Now().UTC()
	slot := int(now.Weekday())*24*60 + now.Hour()*60 + now.Minute()
	rate, err := e.rates.GetString(fmt.Sprintf("rate:%05d", slot), &kv.GetOptions{CacheTTL: 3600})
	if err != nil || rate == missing {
		rate = "1.00"
	}
	units, err := strconv.ParseFloat(rate, 64)
	if err != nil {
		units = 1
	}
	var used, allowance float64
	err = e.db.QueryRowContext(r.Context(), `INSERT INTO api_usage (key_id, month, units) VALUES (?, ?, ?)
		ON CONFLICT (key_id, month) DO UPDATE SET units = units + excluded.units
		RETURNING units, (SELECT allowance FROM api_keys WHERE id = ?)`,
		keyID, now.Format("2006-01"), units, keyID).Scan(&used, &allowance)
	if err != nil {
		http.Error(w, "metering unavailable", http.StatusServiceUnavailable)
		return false
	}
	if allowance > 0 && used > allowance {
		http.Error(w, "monthly allowance used", http.StatusTooManyRequests)
		return false
	}
	return true
}
