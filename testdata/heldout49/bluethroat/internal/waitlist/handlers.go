//go:build js && wasm

package waitlist

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
)

// MakeJoin returns POST /waitlist.
func MakeJoin(b *Board) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req JoinRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		res, err := b.Join(r.Context(), &req)
		if err != nil {
			log.Printf("waitlist: join: %v", err)
			http.Error(w, "could not join the waitlist", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(res)
	}
}

// MakePromote returns POST /host/waitlist/next.
func MakePromote(b *Board) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, err := b.Promote(r.Context(), r.FormValue("restaurant"))
		switch {
		case errors.Is(err, ErrEmpty):
			w.WriteHeader(http.StatusNoContent)
		case err != nil:
			log.Printf("waitlist: promote: %v", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(e)
		}
	}
}

// MakePosition returns GET /waitlist/position?restaurant=&entry=.
func MakePosition(b *Board) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		pos, err := b.Position(r.Context(), q.Get("restaurant"), q.Get("entry"))
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		offered, err := b.Offered(q.Get("entry"))
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"position": pos, "offered": offered})
	}
}
