package paylinks

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/ledgerline/turnstone/internal/kvstore"
)

// Routes registers the public fallback endpoints. The edge Worker serves
// these paths itself and proxies here only on a KV miss or during incidents.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /l/{id}", s.handleLink)
	mux.HandleFunc("POST /l/{id}/checkout", func(w http.ResponseWriter, r *http.Request) {
		link, err := s.Lookup(r.Context(), r.PathValue("id"))
		if err == nil {
			var tok string
			if tok, err = s.IssueCheckoutToken(r.Context(), link); err == nil {
				http.Redirect(w, r, "/checkout/"+tok, http.StatusSeeOther)
				return
			}
		}
		writeErr(w, err)
	})
	mux.HandleFunc("POST /checkout/{token}/items", func(w http.ResponseWriter, r *http.Request) {
		var item LineItem
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&item); err != nil || item.Quantity <= 0 {
			http.Error(w, "sku and a positive quantity are required", http.StatusBadRequest)
			return
		}
		cart, err := s.AddItem(r.Context(), r.PathValue("token"), item)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, cart)
	})
	mux.HandleFunc("POST /checkout/{token}/complete", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.Redeem(r.Context(), r.PathValue("token")); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

func (s *Service) handleLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if ok, err := s.allow(ctx, clientIP(r)); err != nil {
		s.log.Warn("rate limit check", "err", err)
	} else if !ok {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	link, err := s.Lookup(ctx, r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	s.views.Inc(link.ID)
	// The status page shows when the origin last had to serve a link itself.
	if err := s.kv.Put(ctx, "links:last-served-by-origin", map[string]any{"link": link.ID, "at": time.Now().UTC()}, 0); err != nil { // EXPECT kvhotkey
		s.log.Debug("record last served", "err", err)
	}
	writeJSON(w, link)
}

// allow applies the per-IP request budget for link pages, per minute.
func (s *Service) allow(ctx context.Context, ip string) (bool, error) {
	key := "ratelimit:link:" + ip + ":" + time.Now().UTC().Format("200601021504")
	n := 0
	raw, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !kvstore.IsNotFound(err):
		return true, err
	}
	if n >= s.limit {
		return false, nil
	}
	if err := s.kv.Put(ctx, key, n+1, 2*time.Minute); err != nil { // EXPECT kvcounter
		return true, err
	}
	return true, nil
}

func clientIP(r *http.Request) string {
	if v := r.Header.Get("CF-Connecting-IP"); v != "" {
		return v
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	switch {
	case kvstore.IsNotFound(err), errors.Is(err, ErrTokenUsed):
		http.Error(w, "not found", http.StatusNotFound)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
