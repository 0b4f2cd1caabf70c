//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"example.com/grebe/edge/doorcodes"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/httpx"
	"example.com/grebe/internal/store"
)

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		httpx.Error(w, err)
	}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func member(r *http.Request) domain.MemberID {
	m, _ := httpx.Member(r.Context())
	return m
}

// reply writes v as JSON unless err is set.
func reply(w http.ResponseWriter, status int, v any, err error) error {
	if err == nil {
		httpx.JSON(w, status, v)
	}
	return err
}

type H = http.ResponseWriter
type R = *http.Request

// routes builds the Worker's HTTP API.
func routes(d deps) http.Handler {
	mux := http.NewServeMux()
	auth := httpx.RequireSession(d.sessions)
	authed := func(h handlerFunc) http.Handler { return auth(presence(d)(h)) }

	mux.Handle("POST /auth/link", handlerFunc(func(w H, r R) error {
		if err := d.sessions.Throttle(r.Context(), clientIP(r)); err != nil {
			return err
		}
		body, err := httpx.Decode[struct{ Email string }](r)
		if err != nil {
			return err
		}
		if err := d.sessions.SendLink(r.Context(), body.Email); err != nil && !errors.Is(err, domain.ErrUnknown) {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	}))
	mux.Handle("GET /auth/redeem", handlerFunc(func(w H, r R) error {
		sess, err := d.sessions.Redeem(r.Context(), r.URL.Query().Get("t"), r.UserAgent())
		if err != nil {
			_ = d.sessions.Failed(r.Context(), clientIP(r))
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: "grebe_sid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
			SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
		http.Redirect(w, r, "/app", http.StatusSeeOther)
		return nil
	}))
	mux.Handle("POST /auth/logout", handlerFunc(func(w H, r R) error {
		if id := httpx.SessionID(r); id != "" {
			if err := d.sessions.End(r.Context(), id); err != nil {
				return err
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "grebe_sid", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))

	mux.Handle("POST /bookings", authed(func(w H, r R) error {
		req, err := httpx.Decode[domain.Booking](r)
		if err != nil {
			return err
		}
		req.Member = member(r)
		b, err := d.bookings.Book(r.Context(), req)
		return reply(w, http.StatusCreated, b, err)
	}))
	mux.Handle("DELETE /bookings/{id}", authed(func(w H, r R) error {
		return d.bookings.Cancel(r.Context(), member(r), r.PathValue("id"))
	}))
	mux.Handle("GET /sites/{site}/claims", authed(func(w H, r R) error {
		taken, err := d.bookings.Taken(r.Context(), domain.SiteID(r.PathValue("site")), r.URL.Query().Get("resource"))
		return reply(w, http.StatusOK, taken, err)
	}))
	mux.Handle("GET /sites/{site}/availability", handlerFunc(func(w H, r R) error {
		b, err := d.feeds.Availability(r.Context(), domain.SiteID(r.PathValue("site")))
		return reply(w, http.StatusOK, json.RawMessage(b), err)
	}))

	mux.Handle("POST /guests/invites", authed(func(w H, r R) error {
		inv, err := httpx.Decode[domain.GuestInvite](r)
		if err != nil {
			return err
		}
		site, ok := d.cfg.Site(string(inv.Site))
		if !ok {
			return domain.ErrUnknown
		}
		out, err := d.guests.For(member(r)).Invite(r.Context(), inv, r.Header.Get("X-Member-Name"), site.Name)
		return reply(w, http.StatusCreated, out, err)
	}))
	mux.Handle("GET /guests/invites", authed(func(w H, r R) error {
		ids, err := d.guests.For(member(r)).Mine(r.Context())
		return reply(w, http.StatusOK, ids, err)
	}))
	mux.Handle("POST /guests/invites/{id}/arrive", authed(func(w H, r R) error {
		code, err := d.guests.For(member(r)).Arrive(r.Context(), r.PathValue("id"))
		return reply(w, http.StatusOK, code, err)
	}))
	mux.Handle("POST /cart", handlerFunc(func(w H, r R) error {
		c, err := r.Cookie("grebe_visitor")
		if err != nil {
			return domain.ErrForbidden
		}
		item, err := httpx.Decode[domain.CartItem](r)
		if err != nil {
			return err
		}
		cart, err := d.guests.For(domain.MemberID("visitor-"+c.Value)).AddToCart(r.Context(), item)
		return reply(w, http.StatusOK, cart, err)
	}))

	mux.Handle("POST /print/jobs", authed(func(w H, r R) error {
		job, err := httpx.Decode[domain.PrintJob](r)
		if err != nil {
			return err
		}
		job.Member = member(r)
		if err := d.printing.Release(r.Context(), job); err != nil {
			return err
		}
		d.jobs.Drain(context.WithoutCancel(r.Context()))
		w.WriteHeader(http.StatusAccepted)
		return nil
	}))

	mux.Handle("POST /door/instant", authed(func(w H, r R) error {
		code, err := d.doors["instant"].Issue(r.Context(), domain.SiteID(r.URL.Query().Get("site")), member(r))
		return reply(w, http.StatusCreated, code, err)
	}))
	mux.Handle("POST /controller/{site}/open", controller(func(w H, r R) error {
		site := domain.SiteID(r.PathValue("site"))
		code := r.FormValue("code")
		for _, class := range []string{"member", "visitor", "instant"} {
			dc, err := d.doors[class].Open(r.Context(), site, code)
			if errors.Is(err, doorcodes.ErrUnknownCode) {
				continue
			}
			if err != nil {
				return err
			}
			if err := d.occ.CheckIn(r.Context(), site, dc.Member); err != nil {
				d.log.WarnContext(r.Context(), "check-in not counted", "err", err)
			}
			return reply(w, http.StatusOK, dc, nil)
		}
		return domain.ErrForbidden
	}))
	mux.Handle("GET /dashboard", handlerFunc(func(w H, r R) error {
		snap, err := d.occ.ReadSnapshot(r.Context())
		if err != nil {
			return err
		}
		notices := map[string]string{}
		for _, s := range d.cfg.Sites {
			if n, err := d.occ.Notice(domain.SiteID(s.ID)); err == nil {
				notices[s.ID] = n
			}
		}
		return reply(w, http.StatusOK, map[string]any{"snapshot": snap, "notices": notices}, nil)
	}))

	return httpx.Chain(mux, httpx.Logging(d.log), lastActivity(d))
}

// controller authenticates door controllers by their shared secret.
func controller(h handlerFunc) http.Handler {
	return handlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Controller ") {
			return domain.ErrForbidden
		}
		return h(w, r)
	})
}

// lastActivity records when the API last served a request, for the status
// page.
func lastActivity(d deps) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			_ = d.st.Put(r.Context(), "status:last-request", stamp, store.PutOptions{}) // EXPECT kvhotkey
		})
	}
}

// presence queues an update of the member's last-seen time, done after the
// response so it does not add latency.
func presence(d deps) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			m, ok := httpx.Member(r.Context())
			if !ok {
				return
			}
			key := "member:" + string(m)
			seen := time.Now().Unix()
			_ = d.jobs.Push("last-seen", func(ctx context.Context) error {
				prof, err := store.GetJSON[domain.Member](ctx, d.st, key)
				if err != nil {
					return err
				}
				prof.LastSeen = seen
				return store.PutJSON(ctx, d.st, key, prof, store.PutOptions{}) // EXPECT kvrace
			})
			d.jobs.Drain(context.WithoutCancel(r.Context()))
		})
	}
}
