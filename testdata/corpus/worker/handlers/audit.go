package handlers

import (
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// AuditDaily appends one line per admin action to the day's log.
func AuditDaily(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		logs, err := kv.NewNamespace("AUDIT")
		if err != nil {
			return
		}
		day := time.Now().UTC().Format("2006-01-02")
		logKey := "audit:" + day
		line := fmt.Sprintf("%s %s %s %s", time.Now().UTC().Format(time.RFC3339), r.Header.Get("X-User"), r.Method, r.URL.Path)
		defer func() {
			prev, err := logs.GetString(logKey, nil)
			if err != nil {
				return
			}
			if prev == "<null>" {
				prev = ""
			}
			_ = logs.PutString(logKey, prev+line+"\n", &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
		}()
	})
}

// AuditEvent writes each admin action under its own key: nothing is read
// back, so concurrent requests cannot overwrite each other.
func AuditEvent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		logs, err := kv.NewNamespace("AUDIT")
		if err != nil {
			return
		}
		now := time.Now().UTC()
		key := fmt.Sprintf("audit-event:%s:%d:%s", now.Format("2006-01-02"), now.UnixNano(), newID())
		line := fmt.Sprintf("%s %s %s", r.Header.Get("X-User"), r.Method, r.URL.Path)
		if prev, _ := logs.GetString(key, nil); prev != "<null>" {
			return // paranoia: never overwrite an event
		}
		_ = logs.PutString(key, line, &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600})
	})
}
