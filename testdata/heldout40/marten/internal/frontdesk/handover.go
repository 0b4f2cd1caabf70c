package frontdesk

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// Handover appends a line to the shift handover log of a desk
// (POST /frontdesk/handover?desk=...).
func (s *Service) Handover(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, _, err := s.authenticate(r)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 2048))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	desk := r.URL.Query().Get("desk")
	if desk == "" {
		desk = sess.Desk
	}
	key := handoverPrefix.Of(desk + "/" + time.Now().Format("2006-01-02"))
	prev, _, err := Store.Lookup(ctx, key)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	line := time.Now().Format("15:04") + " " + sess.User + ": " + strings.TrimSpace(string(body))
	log := string(prev)
	if log != "" {
		log += "\n"
	}
	log += line
	if err := Store.PutTTL(ctx, key, []byte(log), 7*24*time.Hour); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
