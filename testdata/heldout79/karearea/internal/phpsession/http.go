package phpsession

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"
)

// maxSessionBytes guards against runaway $_SESSION arrays.
const maxSessionBytes = 4 << 20

// Register mounts the save-handler endpoints that the PHP class calls.
//
//	GET    /php-session/{id}           read
//	PUT    /php-session/{id}           write       (body: serialized data)
//	PATCH  /php-session/{id}           updateTimestamp
//	DELETE /php-session/{id}           destroy
//	HEAD   /php-session/{id}           validateId
//	POST   /php-session                create_sid
//	POST   /php-session/{id}/lock      lock (header X-Lock-Owner)
//	DELETE /php-session/{id}/lock      unlock
//	POST   /php-session/{id}/regenerate
//	POST   /php-session/_gc?maxlifetime=N
func (h *Handler) Register(mux *http.ServeMux, logger *log.Logger) {
	fail := func(w http.ResponseWriter, err error) {
		logger.Printf("php-session: %v", err)
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
	}
	readBody := func(w http.ResponseWriter, r *http.Request) (string, bool) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSessionBytes))
		if err != nil {
			http.Error(w, "session too large", http.StatusRequestEntityTooLarge)
			return "", false
		}
		return string(b), true
	}

	mux.HandleFunc("GET /php-session/{id}", func(w http.ResponseWriter, r *http.Request) {
		data, err := h.Read(r.Context(), r.PathValue("id"))
		if err != nil {
			fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		io.WriteString(w, data)
	})
	mux.HandleFunc("PUT /php-session/{id}", func(w http.ResponseWriter, r *http.Request) {
		data, ok := readBody(w, r)
		if !ok {
			return
		}
		if err := h.Write(r.Context(), r.PathValue("id"), data); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PATCH /php-session/{id}", func(w http.ResponseWriter, r *http.Request) {
		data, ok := readBody(w, r)
		if !ok {
			return
		}
		if err := h.UpdateTimestamp(r.Context(), r.PathValue("id"), data); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /php-session/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := h.Destroy(r.Context(), r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("HEAD /php-session/{id}", func(w http.ResponseWriter, r *http.Request) {
		ok, err := h.ValidateID(r.Context(), r.PathValue("id"))
		switch {
		case err != nil:
			fail(w, err)
		case ok:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	mux.HandleFunc("POST /php-session", func(w http.ResponseWriter, r *http.Request) {
		id, err := h.CreateSID(r.Context())
		if err != nil {
			fail(w, err)
			return
		}
		io.WriteString(w, id)
	})
	mux.HandleFunc("POST /php-session/{id}/lock", func(w http.ResponseWriter, r *http.Request) {
		err := h.Lock(r.Context(), r.PathValue("id"), r.Header.Get("X-Lock-Owner"))
		switch {
		case errors.Is(err, ErrLocked):
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusConflict)
		case err != nil:
			fail(w, err)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("DELETE /php-session/{id}/lock", func(w http.ResponseWriter, r *http.Request) {
		if err := h.Unlock(r.Context(), r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /php-session/{id}/regenerate", func(w http.ResponseWriter, r *http.Request) {
		id, err := h.Regenerate(r.Context(), r.PathValue("id"))
		if err != nil {
			fail(w, err)
			return
		}
		io.WriteString(w, id)
	})
	mux.HandleFunc("POST /php-session/_gc", func(w http.ResponseWriter, r *http.Request) {
		secs, err := strconv.Atoi(r.URL.Query().Get("maxlifetime"))
		if err != nil || secs <= 0 {
			secs = int(h.MaxLifetime / time.Second)
		}
		n, err := h.GC(r.Context(), time.Duration(secs)*time.Second)
		if err != nil {
			fail(w, err)
			return
		}
		json.NewEncoder(w).Encode(map[string]int{"removed": n})
	})

	// Support console.
	mux.HandleFunc("POST /php-session/{id}/flash", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Level, Message string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := h.AddFlash(r.Context(), r.PathValue("id"), req.Level, req.Message); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /login-throttle/{user}", func(w http.ResponseWriter, r *http.Request) {
		throttled, err := h.RecordFailedLogin(r.Context(), r.PathValue("user"))
		if err != nil {
			fail(w, err)
			return
		}
		if throttled {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /php-session/{id}/user/{uid}", func(w http.ResponseWriter, r *http.Request) {
		if err := h.Remember(r.Context(), r.PathValue("uid"), r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
