//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/syumai/workers/cloudflare"

	"github.com/redpoll-jobs/redpoll/internal/config"
)

// Handler routes the Worker's requests.
type Handler struct {
	Cfg     config.Config
	Binding string
}

// ServeHTTP sub-routes by path prefix and method.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			log.Printf("panic serving %s: %v\n%s", r.URL.Path, p, debug.Stack())
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	if cfg, err := config.Load("", cloudflare.Getenv); err == nil {
		h.Cfg = cfg
	}
	b, err := openBucket(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/listings/"); ok {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.listing(w, r, b, rest)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/postings/"); ok {
		id, action, _ := strings.Cut(rest, "/")
		switch {
		case r.Method == http.MethodPost && action == "apply":
			h.apply(w, r, b, id)
		case r.Method == http.MethodGet && action == "":
			h.posting(w, r, b, id)
		case r.Method == http.MethodGet && action == "applications":
			h.applicationCount(w, r, b, id)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/auth/"); ok {
		switch r.Method {
		case http.MethodPost:
			switch rest {
			case "magic":
				h.requestMagicLink(w, r, b)
			case "login":
				h.passwordLogin(w, r, b)
			case "logout":
				h.logout(w, r, b)
			default:
				w.WriteHeader(http.StatusNotFound)
			}
		case http.MethodGet:
			if token, ok := strings.CutPrefix(rest, "magic/"); ok {
				h.redeemMagicLink(w, r, b, token)
				return
			}
			if rest == "oauth/callback" {
				h.oauthCallback(w, r, b)
				return
			}
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/saved/"); ok {
		sess, ok := h.session(w, r, b)
		if !ok {
			return
		}
		switch r.Method {
		case http.MethodGet:
			h.listSaved(w, r, b, sess)
		case http.MethodPost:
			h.addSaved(w, r, b, sess)
		case http.MethodPut:
			h.importSaved(w, r, b, sess)
		case http.MethodDelete:
			h.purgeSaved(w, r, b, sess, rest)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/companies/"); ok {
		sess, ok := h.session(w, r, b)
		if !ok {
			return
		}
		switch r.Method {
		case http.MethodPost:
			h.claimSlug(w, r, b, sess, rest)
		case http.MethodPatch:
			h.updateProfile(w, r, b, sess)
		case http.MethodGet:
			if rest == "archive" {
				h.archive(w, r, b, sess)
				return
			}
			h.dashboard(w, r, b, sess)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
		return
	}
	if r.URL.Path == "/api/search/hits" && r.Method == http.MethodGet {
		h.searchHits(w, r, b)
		return
	}
	http.NotFound(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
	}
}

func fail(w http.ResponseWriter, err error) {
	log.Printf("request failed: %v", err)
	http.Error(w, fmt.Sprintf("upstream error: %v", err), http.StatusBadGateway)
}
