// Package idempotency makes POST endpoints safe to retry: a request carrying
// an Idempotency-Key header gets the stored response of its first execution.
package idempotency

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/tundra/internal/storage"
)

// Stored is a captured response.
type Stored struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

// Middleware replays responses for repeated idempotency keys.
type Middleware struct {
	Store storage.Store
	TTL   time.Duration
	// Partner extracts the authenticated partner from the request.
	Partner func(*http.Request) string
	Log     *slog.Logger
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

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.buf.Write(p)
	return r.ResponseWriter.Write(p)
}

// Wrap applies the middleware to next.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		idem := req.Header.Get("Idempotency-Key")
		if idem == "" || req.Method != http.MethodPost {
			next.ServeHTTP(w, req)
			return
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))

		// Each component is hashed separately so keys can be listed per partner
		// and per route when support investigates a retry storm.
		scope := sha512.Sum512([]byte(m.Partner(req)))
		route := sha512.Sum512([]byte(req.Method + " " + req.URL.Path))
		payload := sha512.Sum512(body)
		client := sha512.Sum512([]byte(idem))
		key := strings.Join([]string{"idem", hex.EncodeToString(scope[:]), hex.EncodeToString(route[:]), hex.EncodeToString(payload[:]), hex.EncodeToString(client[:])}, "/") // EXPECT kvlimits

		raw, err := m.Store.Get(req.Context(), key)
		if err == nil {
			var s Stored
			if json.Unmarshal(raw, &s) == nil {
				w.Header().Set("Content-Type", s.ContentType)
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(s.Status)
				w.Write(s.Body)
				return
			}
		} else if !storage.IsNotFound(err) {
			m.Log.Warn("idempotency lookup failed; executing anyway", "err", err)
		}

		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, req)
		if rec.status >= 500 {
			return
		}
		out, _ := json.Marshal(Stored{Status: rec.status, ContentType: rec.Header().Get("Content-Type"), Body: rec.buf.Bytes()})
		if err := m.Store.Put(req.Context(), key, out, storage.WriteOpts{TTL: m.TTL}); err != nil { // DEBATABLE kvrace
			m.Log.Warn("idempotency store failed", "err", err)
		}
	})
}
