package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type monthlyQuota struct {
	Used  int `json:"used"`
	Limit int `json:"limit"`
}

// EnforceQuota charges one API call against the key's monthly quota.
func EnforceQuota(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiKey := r.Header.Get("X-API-Key")
		month := time.Now().UTC().Format("2006-01")
		ns, err := kv.NewNamespace("QUOTAS")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		k := "quota:" + apiKey + ":" + month
		raw, err := ns.GetString(k, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		q := monthlyQuota{Limit: 10000}
		if raw != "<null>" {
			_ = json.Unmarshal([]byte(raw), &q)
		}
		if q.Used >= q.Limit {
			http.Error(w, "quota exceeded", http.StatusTooManyRequests)
			return
		}
		q.Used++
		buf, _ := json.Marshal(q)
		if err := ns.PutString(k, string(buf), &kv.PutOptions{ExpirationTTL: 40 * 24 * 3600}); err != nil { // EXPECT kvcounter
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}
