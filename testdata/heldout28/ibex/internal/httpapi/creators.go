package httpapi

import (
	"errors"
	"net/http"
	"time"

	"example.com/ibex/internal/shows"
	"example.com/ibex/internal/sponsors"
)

// verifyCredentials checks the identity proxy's verdict on the login.
var verifyCredentials = func(r *http.Request) (creatorID string, err error) {
	id := r.Header.Get("X-Verified-Creator")
	if id == "" {
		return "", errors.New("unverified")
	}
	return id, nil
}

func (a *App) handleLogin() http.HandlerFunc {
	sessions := a.Sessions
	return func(w http.ResponseWriter, r *http.Request) {
		creatorID, err := verifyCredentials(r)
		if err != nil {
			http.Error(w, "invalid credentials", http.StatusUnauthorized)
			return
		}
		sess, err := sessions.Create(r.Context(), creatorID, r.UserAgent())
		if err != nil {
			a.fail(w, err)
			return
		}
		if err := a.Accounts.EnsurePreferences(r.Context(), creatorID); err != nil {
			a.Log.Printf("preferences: %v", err)
		}
		http.SetCookie(w, &http.Cookie{
			Name: sessionCookie, Value: sess.ID, Path: "/",
			Expires: sess.ExpiresAt, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		})
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handleLogout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err == nil {
			if err := a.Sessions.Logout(r.Context(), c.Value); err != nil {
				a.fail(w, err)
				return
			}
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handlePublish() http.HandlerFunc {
	catalog := a.Catalog
	return func(w http.ResponseWriter, r *http.Request) {
		var ep shows.Episode
		if err := decode(r, &ep); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ep.ShowID = r.PathValue("show")
		if err := catalog.Publish(r.Context(), ep); err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, ep)
	}
}

func (a *App) handleBook() http.HandlerFunc {
	booker := a.Sponsors
	return func(w http.ResponseWriter, r *http.Request) {
		var bk sponsors.Booking
		if err := decode(r, &bk); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		err := booker.Claim(r.Context(), bk)
		if errors.Is(err, sponsors.ErrSlotTaken) {
			http.Error(w, "slot already booked", http.StatusConflict)
			return
		}
		if err != nil {
			a.fail(w, err)
			return
		}
		if err := booker.MarkInventoryDirty(r.Context()); err != nil { // EXPECT kvhotkey
			a.Log.Printf("inventory dirty flag: %v", err)
		}
		w.Header().Set("Location", "/sponsors/bookings/"+bk.Slot.EpisodeID)
		writeJSON(w, http.StatusCreated, map[string]any{"booked_at": time.Now().UTC()})
	}
}
