// Package idem makes unsafe requests safe to retry via the Idempotency-Key
// header: the first response for a key is stored and replayed afterwards.
package idem

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"example.com/authgw/internal/kvport"
)

// Header is the request header clients send.
const Header = "Idempotency-Key"

type stored struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

// Middleware returns the idempotency middleware. Responses are kept for
// retention; only 2xx responses are stored.
func Middleware(kv kvport.Store, retention time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k := r.Header.Get(Header)
			if k == "" || r.Method == http.MethodGet || len(k) > 200 {
				next.ServeHTTP(w, r)
				return
			}
			key := "idem:" + r.Method + ":" + r.URL.Path + ":" + k
			ctx := r.Context()
			if raw, err := kv.Get(ctx, key); err == nil {
				var s stored
				if json.Unmarshal(raw, &s) == nil {
					for h, vs := range s.Header {
						w.Header()[h] = vs
					}
					w.Header().Set("Idempotent-Replayed", "true")
					w.WriteHeader(s.Status)
					w.Write(s.Body)
					return
				}
			}
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			if rec.status < 200 || rec.status > 299 {
				return
			}
			body, _ := json.Marshal(stored{Status: rec.status, Header: w.Header().Clone(), Body: rec.buf.Bytes()})
			_ = kv.Put(ctx, key, body, kvport.WithTTL(retention)) // EXPECT kvrace
		})
	}
}
