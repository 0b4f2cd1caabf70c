package kvrace

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// recorder keeps the status that the origin answered with.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Look-alike: a login gate refuses a locked account, proxies the login
// to the origin, and locks the account when the origin says the password
// was wrong. The lock is written because of the origin's answer, not
// because the key was found free.
func loginGate(limits *kv.Namespace, origin http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := "login:lock:" + r.PostFormValue("username")
		if v, err := limits.GetString(key, nil); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		} else if v != "<null>" {
			http.Error(w, "account locked", http.StatusTooManyRequests)
			return
		}
		rec := &recorder{ResponseWriter: w}
		origin.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			_ = limits.PutString(key, time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 900})
		}
	}
}
