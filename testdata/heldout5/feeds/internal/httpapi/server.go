package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"example.com/feeds/internal/articles"
	"example.com/feeds/internal/crawler"
	"example.com/feeds/internal/editorial"
	"example.com/feeds/internal/ingest"
	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/metrics"
	"example.com/feeds/internal/previews"
	"example.com/feeds/internal/purge"
	"example.com/feeds/internal/reconcile"
)

// Deps are the services behind the routes.
type Deps struct {
	Sessions  *editorial.Sessions
	Magic     *editorial.MagicLinks
	Locks     *editorial.Locks
	Slugs     *articles.Slugs
	Previews  *previews.Service
	Webhook   *ingest.Webhook
	Tokens    *ingest.Tokens
	Connect   *ingest.Connect
	Views     *metrics.Views
	Clicks    *metrics.Clicks
	Shares    *metrics.Shares
	Registry  *crawler.Registry
	Purge     *purge.Job
	Reconcile *reconcile.Job
	// StateKeys lists one page of the state namespace for the ops console.
	StateKeys func(ctx context.Context, p kv.ListParams) (kv.Page, error)
	SendMail  func(ctx context.Context, to, subject, body string) error
	Logger    *slog.Logger
}

// New builds the HTTP handler.
func New(d Deps) http.Handler {
	editor := RequireEditor(d.Sessions.Touch)
	mux := http.NewServeMux()

	// Sign-in.
	mux.HandleFunc("POST /editorial/login", func(w http.ResponseWriter, r *http.Request) {
		email := r.FormValue("email")
		tok, err := d.Magic.Request(r.Context(), email)
		if errors.Is(err, editorial.ErrTooManyRequests) {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		if fail(w, err) {
			return
		}
		_ = d.SendMail(r.Context(), email, "Your sign-in link", "/editorial/magic?token="+tok)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /editorial/magic", func(w http.ResponseWriter, r *http.Request) {
		sess, err := d.Magic.Redeem(r.Context(), r.URL.Query().Get("token"))
		if errors.Is(err, editorial.ErrInvalidLink) {
			http.Error(w, err.Error(), http.StatusGone)
			return
		}
		if fail(w, err) {
			return
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.Handle("POST /editorial/logout", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, _ := EditorFrom(r.Context())
		if fail(w, d.Sessions.Logout(r.Context(), sess.ID)) {
			return
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	})))
	// Called by the identity provider after a password reset.
	mux.HandleFunc("POST /hooks/password-changed", func(w http.ResponseWriter, r *http.Request) {
		if fail(w, d.Sessions.RevokeAll(r.Context(), r.FormValue("email"))) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	// Locks and slugs.
	mux.Handle("POST /editorial/articles/{id}/lock", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, _ := EditorFrom(r.Context())
		lock, err := d.Locks.Acquire(r.Context(), r.PathValue("id"), sess.Editor)
		var locked *editorial.LockedError
		if errors.As(err, &locked) {
			writeJSON(w, http.StatusConflict, lock)
			return
		}
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, lock)
	})))
	mux.Handle("PUT /editorial/articles/{id}/lock", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, _ := EditorFrom(r.Context())
		lock, err := d.Locks.Renew(r.Context(), r.PathValue("id"), sess.Editor)
		if errors.Is(err, editorial.ErrNotHolder) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, lock)
	})))
	mux.Handle("DELETE /editorial/articles/{id}/lock", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, _ := EditorFrom(r.Context())
		if fail(w, d.Locks.Release(r.Context(), r.PathValue("id"), sess.Editor)) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))
	mux.Handle("POST /editorial/articles/{id}/slug", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := d.Slugs.Reserve(r.Context(), articles.NormalizeTag(r.FormValue("slug")), r.PathValue("id"))
		if errors.Is(err, articles.ErrSlugTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if fail(w, err) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))

	// Previews.
	mux.Handle("POST /editorial/articles/{id}/previews", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, _ := EditorFrom(r.Context())
		issue := d.Previews.Issue
		if r.FormValue("one_time") == "1" {
			issue = d.Previews.IssueLink
		}
		tok, err := issue(r.Context(), r.PathValue("id"), sess.Editor)
		if errors.Is(err, previews.ErrQuota) {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"token": tok})
	})))
	mux.Handle("POST /editorial/articles/{id}/previews/revoke", editor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail(w, d.Previews.RevokeArticle(r.Context(), r.PathValue("id"))) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))
	mux.HandleFunc("GET /preview/{token}", func(w http.ResponseWriter, r *http.Request) {
		g, err := d.Previews.Validate(r.Context(), r.PathValue("token"))
		if previewErr(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, g)
	})
	mux.HandleFunc("GET /p/{token}", func(w http.ResponseWriter, r *http.Request) {
		g, err := d.Previews.RedeemLink(r.Context(), r.PathValue("token"))
		if previewErr(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, g)
	})

	// Publisher push API.
	mux.HandleFunc("POST /ingest/{publisher}/deliveries", func(w http.ResponseWriter, r *http.Request) {
		var p ingest.Payload
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&p); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		rec, err := d.Webhook.Deliver(r.Context(), r.PathValue("publisher"), r.Header.Get("Idempotency-Key"), p)
		switch {
		case errors.Is(err, ingest.ErrDuplicate):
			writeJSON(w, http.StatusOK, rec)
		case errors.Is(err, ingest.ErrRateLimited):
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		case !fail(w, err):
			writeJSON(w, http.StatusAccepted, rec)
		}
	})
	mux.HandleFunc("POST /ingest/token", func(w http.ResponseWriter, r *http.Request) {
		access, next, err := d.Tokens.Exchange(r.Context(), r.FormValue("refresh_token"))
		if errors.Is(err, ingest.ErrBadToken) {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"access_token": access, "refresh_token": next})
	})
	mux.HandleFunc("GET /connect/start", func(w http.ResponseWriter, r *http.Request) {
		u, err := d.Connect.Begin(r.Context(), r.URL.Query().Get("publisher"), r.URL.Query().Get("return"))
		if fail(w, err) {
			return
		}
		http.Redirect(w, r, u, http.StatusFound)
	})
	mux.HandleFunc("GET /connect/callback", func(w http.ResponseWriter, r *http.Request) {
		pub, _, ret, err := d.Connect.Callback(r.Context(), r.URL.Query().Get("state"))
		if errors.Is(err, ingest.ErrBadState) {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if fail(w, err) {
			return
		}
		tok, err := d.Tokens.Issue(r.Context(), pub)
		if fail(w, err) {
			return
		}
		http.Redirect(w, r, ret+"#refresh_token="+tok, http.StatusFound)
	})

	// Reader beacons.
	mux.HandleFunc("POST /beacon/view", func(w http.ResponseWriter, r *http.Request) {
		beacon(w, d.Views.Record(r.Context(), r.FormValue("a")))
	})
	mux.HandleFunc("POST /beacon/click", func(w http.ResponseWriter, r *http.Request) {
		beacon(w, d.Clicks.Record(r.Context(), r.FormValue("a"), r.FormValue("u")))
	})
	mux.HandleFunc("POST /beacon/share", func(w http.ResponseWriter, r *http.Request) {
		beacon(w, d.Shares.Record(r.Context(), r.FormValue("a")))
	})

	// Ops.
	mux.HandleFunc("GET /admin/state", func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		page, err := d.StateKeys(r.Context(), kv.ListParams{
			Prefix: r.URL.Query().Get("prefix"),
			Cursor: r.URL.Query().Get("cursor"),
			Limit:  min(max(limit, 10), 1000),
		})
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, page)
	})
	mux.HandleFunc("POST /admin/feeds", func(w http.ResponseWriter, r *http.Request) {
		f := crawler.Feed{ID: r.FormValue("id"), URL: r.FormValue("url"), Section: r.FormValue("section")}
		if fail(w, d.Registry.Add(r.Context(), f)) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /admin/feeds/{id}", func(w http.ResponseWriter, r *http.Request) {
		if fail(w, d.Registry.Remove(r.Context(), r.PathValue("id"))) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /admin/purge/section/{section}", func(w http.ResponseWriter, r *http.Request) {
		n, err := d.Purge.PurgeSection(r.Context(), r.PathValue("section"))
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
	})
	mux.HandleFunc("POST /admin/purge/prefix", func(w http.ResponseWriter, r *http.Request) {
		n, err := d.Purge.PurgePrefix(r.Context(), "cache:"+r.FormValue("prefix"))
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
	})
	mux.HandleFunc("POST /admin/reconcile", func(w http.ResponseWriter, r *http.Request) {
		rep, err := d.Reconcile.Run(r.Context())
		if fail(w, err) {
			return
		}
		writeJSON(w, http.StatusOK, rep)
	})

	return Chain(mux, Recover(d.Logger), Logging(d.Logger))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) bool {
	if err == nil {
		return false
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
	return true
}

func beacon(w http.ResponseWriter, err error) {
	// Beacons are fire-and-forget for the browser; errors only show in logs.
	if err != nil {
		w.Header().Set("X-Beacon-Error", "1")
	}
	w.WriteHeader(http.StatusNoContent)
}

func previewErr(w http.ResponseWriter, err error) bool {
	switch {
	case errors.Is(err, previews.ErrUnknown):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, previews.ErrUsed), errors.Is(err, previews.ErrRevoked):
		http.Error(w, err.Error(), http.StatusGone)
	default:
		return fail(w, err)
	}
	return true
}
