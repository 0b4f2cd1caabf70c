// Package admin is the backend's HTTP API, used by the staff console and by
// the host dashboard's server side. It listens on the private network only.
package admin

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quizfleet/dipper/internal/analytics"
	"github.com/quizfleet/dipper/internal/cfkv"
	"github.com/quizfleet/dipper/internal/hosts"
	"github.com/quizfleet/dipper/internal/web"
)

const (
	maxLoginFailures = 5
	loginLockout     = 15 * time.Minute
)

var staffKey = sync.OnceValue(func() []byte { return []byte(os.Getenv("STAFF_API_KEY")) })

var errUnauthorized = web.Fail(http.StatusUnauthorized, "unauthorized")

var statuses = map[error]int{
	hosts.ErrNoHost:     http.StatusNotFound,
	hosts.ErrNotAllowed: http.StatusConflict,
	hosts.ErrSlugTaken:  http.StatusConflict,
	hosts.ErrBadSlug:    http.StatusBadRequest,
	analytics.ErrQuota:  http.StatusTooManyRequests,
}

// Register adds the admin routes to mux.
func Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /login", web.Handle(login))
	mux.HandleFunc("POST /hosts/{id}/actions/{action}", staff(applyAction))
	mux.HandleFunc("PUT /hosts/{id}/slug", staff(claimSlug))
	mux.HandleFunc("GET /hosts/{id}/profile", staff(profile))
	mux.HandleFunc("POST /hosts/{id}/tokens/{jti}/revoke", staff(revokeToken))
	mux.HandleFunc("POST /hosts/{id}/exports", staff(startExport))
	mux.HandleFunc("GET /hosts/{id}/exports/{export}/ticket", staff(downloadTicket))
	mux.HandleFunc("GET /hosts/{id}/games/{lobby}", staff(game))
	mux.HandleFunc("GET /namespaces/{ns}/keys", staff(listKeys))
	mux.HandleFunc("GET /namespaces/{ns}/peek", staff(peek))
	mux.HandleFunc("PUT /banner", staff(setBanner))
}

// staff checks the staff key and maps domain errors to statuses.
func staff(h web.Func) http.HandlerFunc {
	return web.Handle(func(w http.ResponseWriter, r *http.Request) (any, error) {
		if !validKey(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			return nil, errUnauthorized
		}
		v, err := h(w, r)
		for target, status := range statuses {
			if errors.Is(err, target) {
				return nil, web.Fail(status, err.Error())
			}
		}
		return v, err
	})
}

func validKey(got string) bool {
	return len(staffKey()) > 0 && subtle.ConstantTimeCompare([]byte(got), staffKey()) == 1
}

func login(w http.ResponseWriter, r *http.Request) (any, error) {
	ip := clientIP(r)
	failures := 0
	raw, err := cfkv.Get(r.Context(), cfkv.Hosts(), "attempts/"+ip)
	switch {
	case errors.Is(err, cfkv.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		failures, _ = strconv.Atoi(string(raw))
	}
	if failures >= maxLoginFailures {
		return nil, web.Fail(http.StatusTooManyRequests, "locked, try later")
	}
	var body struct {
		Key string `json:"key"`
	}
	if err := web.Decode(r, &body); err != nil {
		return nil, err
	}
	if !validKey(body.Key) {
		if err := cfkv.PutTTL(r.Context(), cfkv.Hosts(), "attempts/"+ip, []byte(strconv.Itoa(failures+1)), loginLockout); err != nil { // EXPECT kvcounter
			slog.Warn("recording failed login", "ip", ip, "err", err)
		}
		return nil, errUnauthorized
	}
	return nil, nil
}

func applyAction(w http.ResponseWriter, r *http.Request) (any, error) {
	return hosts.Apply(r.Context(), r.PathValue("id"), hosts.Action(r.PathValue("action")), r.Header.Get("X-Staff-User"))
}

func claimSlug(w http.ResponseWriter, r *http.Request) (any, error) {
	var body struct {
		Slug string `json:"slug"`
	}
	if err := web.Decode(r, &body); err != nil {
		return nil, err
	}
	return nil, hosts.ClaimSlug(r.Context(), r.PathValue("id"), body.Slug)
}

func profile(w http.ResponseWriter, r *http.Request) (any, error) {
	return hosts.EnsureProfile(r.Context(), r.PathValue("id"), r.URL.Query().Get("email"))
}

func revokeToken(w http.ResponseWriter, r *http.Request) (any, error) {
	exp, err := strconv.ParseInt(r.URL.Query().Get("exp"), 10, 64)
	if err != nil {
		return nil, web.Fail(http.StatusBadRequest, "exp required")
	}
	return nil, hosts.RevokeToken(r.Context(), r.PathValue("id"), r.PathValue("jti"), time.Unix(exp, 0))
}

func startExport(w http.ResponseWriter, r *http.Request) (any, error) {
	host := r.PathValue("id")
	m, err := analytics.Export(r.Context(), host, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	if err := cfkv.Put(r.Context(), cfkv.Analytics(), "exports/last-request", []byte(host)); err != nil { // EXPECT kvhotkey
		slog.Warn("recording last export", "err", err)
	}
	return web.Created{V: m}, nil
}

func downloadTicket(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := analytics.IssueDownloadTicket(r.Context(), r.PathValue("id"), r.PathValue("export"))
	if err != nil {
		return nil, err
	}
	return map[string]string{"ticket": t}, nil
}

func game(w http.ResponseWriter, r *http.Request) (any, error) {
	res, found, err := analytics.LoadResults(r.Context(), r.PathValue("id"), r.PathValue("lobby"))
	if err == nil && !found {
		return nil, web.Fail(http.StatusNotFound, "no such game")
	}
	return res, err
}

var namespaces = map[string]func() cfkv.Namespace{
	"lobbies":   cfkv.Lobbies,
	"sessions":  cfkv.Sessions,
	"analytics": cfkv.Analytics,
	"hosts":     cfkv.Hosts,
}

func namespace(r *http.Request) (cfkv.Namespace, error) {
	ns, ok := namespaces[r.PathValue("ns")]
	if !ok {
		return "", web.Fail(http.StatusNotFound, "unknown namespace")
	}
	return ns(), nil
}

// listKeys returns one page of keys; the console passes the returned cursor
// back to get the next one.
func listKeys(w http.ResponseWriter, r *http.Request) (any, error) {
	ns, err := namespace(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	keys, cursor, err := cfkv.ListPage(r.Context(), ns, q.Get("prefix"), q.Get("cursor"), limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"keys": keys, "cursor": cursor}, nil
}

func peek(w http.ResponseWriter, r *http.Request) (any, error) {
	ns, err := namespace(r)
	if err != nil {
		return nil, err
	}
	return analytics.Peek(r.Context(), ns, r.URL.Query().Get("prefix"))
}

// setBanner publishes the maintenance banner that every Worker shows.
func setBanner(w http.ResponseWriter, r *http.Request) (any, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	if err != nil {
		return nil, web.Fail(http.StatusBadRequest, "bad body")
	}
	return nil, cfkv.Put(r.Context(), cfkv.Lobbies(), "config/banner", b) // DEBATABLE kvhotkey
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("X-Forwarded-For"); ip != "" {
		first, _, _ := strings.Cut(ip, ",")
		return strings.TrimSpace(first)
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}
