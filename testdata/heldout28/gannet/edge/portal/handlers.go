//go:build js && wasm

package portal

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/gannet/edge/booking"
	"example.com/gannet/edge/kvstore"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

const loginLimit = 10

func (a *App) handleLogin() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := a.Edge.Namespace()
		if err != nil {
			a.fail(w, err)
			return
		}
		key := "ratelimit:login:" + keys.Hash(r.Header.Get("CF-Connecting-IP"))
		raw, err := ns.GetString(key, nil)
		if err != nil {
			a.fail(w, err)
			return
		}
		tries := 0
		if raw != kvstore.Null {
			tries, _ = strconv.Atoi(raw)
		}
		if tries >= loginLimit {
			http.Error(w, "too many attempts, try again later", http.StatusTooManyRequests)
			return
		}
		if err := ns.PutString(key, strconv.Itoa(tries+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvcounter
			a.fail(w, err)
			return
		}
		if err := a.Codes.Issue(r.Context(), "email", r.FormValue("email")); err != nil {
			a.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func (a *App) handleVerify() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		email := r.FormValue("email")
		switch err := a.Codes.Verify(ctx, "email", email, r.FormValue("code")); {
		case errors.Is(err, domain.ErrBadCode), errors.Is(err, domain.ErrLockedOut):
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		case err != nil:
			a.fail(w, err)
			return
		}
		patientID, err := a.Patients(ctx, email)
		if err != nil {
			a.fail(w, err)
			return
		}
		sess, err := a.Sessions.Create(ctx, patientID, r.UserAgent(), true)
		if err != nil {
			a.fail(w, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: int(ttl.PortalSession / time.Second)})
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handleLogout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := sessionFrom(r.Context())
		if err := a.Sessions.End(r.Context(), sess.ID); err != nil {
			a.fail(w, err)
			return
		}
		// The video and pharmacy services cache session checks; tell them.
		if ns, err := a.Edge.Namespace(); err == nil {
			_ = ns.PutString("revoked:"+sess.ID, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.PortalSession / time.Second)}) // EXPECT kvsession
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

// summaryCard is the short form of a visit summary published by the back office.
type summaryCard struct {
	VisitID   string   `json:"visit_id"`
	Signed    string   `json:"signed"`
	Diagnoses []string `json:"diagnoses"`
	Plan      string   `json:"plan"`
}

func (a *App) handleSummary() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := sessionFrom(r.Context())
		visit := r.PathValue("visit")
		ns, err := a.Store.Namespace()
		if err != nil {
			a.fail(w, err)
			return
		}
		body, err := ns.GetReader("summary-card:"+keys.Hash(sess.PatientID, visit), nil) // EXPECT kvnull
		if err != nil {
			a.fail(w, err)
			return
		}
		var card summaryCard
		if err := json.NewDecoder(body).Decode(&card); err != nil {
			a.fail(w, err)
			return
		}
		if err := bumpViews(r.Context(), a.Store, "views:"+visit); err != nil {
			a.Log.Warn("views", "err", err)
		}
		writeJSON(w, card)
	}
}

func (a *App) handleAck() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sess, _ := sessionFrom(ctx)
		key := "acks:" + r.PathValue("visit")
		var acks []string
		if _, err := a.Store.Load(ctx, key, &acks); err != nil {
			a.fail(w, err)
			return
		}
		acks = append(acks, sess.PatientID+"@"+time.Now().UTC().Format(time.RFC3339))
		if err := a.Store.Save(ctx, key, acks, ttl.Days(90)); err != nil { // EXPECT kvrace
			a.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handlePrefs() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var patch domain.Preferences
		if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sess, _ := sessionFrom(r.Context())
		p, err := updateJSON(r.Context(), a.Store, "prefs:"+keys.Hash(sess.PatientID), 0, func(p *domain.Preferences) {
			if patch.Language != "" {
				p.Language = patch.Language
			}
			if patch.ReminderHours > 0 {
				p.ReminderHours = patch.ReminderHours
			}
			if patch.Channels != nil {
				p.Channels = patch.Channels
			}
			p.LargeText = patch.LargeText
		})
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, p)
	}
}

func (a *App) handleConsent() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := sessionFrom(r.Context())
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := a.Store.Put(r.Context(), "consent:"+consentVersion+":"+keys.Hash(sess.PatientID), stamp); err != nil { // EXPECT kvlimits
			a.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handleBadge() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := sessionFrom(r.Context())
		raw, err := a.Store.Text(r.Context(), "unread:"+keys.Hash(sess.PatientID)) // EXPECT kvnull
		if err != nil {
			a.fail(w, err)
			return
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, map[string]int{"unread": n})
	}
}

func (a *App) handleBook() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := sessionFrom(r.Context())
		var slot domain.Slot
		if err := json.NewDecoder(r.Body).Decode(&slot); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		appt, err := a.Booking.Book(r.Context(), booking.Request{PatientID: sess.PatientID, Slot: slot, Kind: domain.VisitVideo})
		if errors.Is(err, domain.ErrSlotTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, appt)
	}
}

func (a *App) handleJoin() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		jt, err := a.Joins.Redeem(r.Context(), r.PathValue("token"))
		if err != nil {
			http.Error(w, "this link can no longer be used", http.StatusGone)
			return
		}
		http.Redirect(w, r, "/room/"+jt.VisitID+"?role="+jt.Role, http.StatusFound)
	}
}
