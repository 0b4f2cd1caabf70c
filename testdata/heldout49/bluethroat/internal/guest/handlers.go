//go:build js && wasm

package guest

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
)

// MakeSendCode returns POST /auth/code.
func MakeSendCode(otp *OTP) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		phone := r.FormValue("phone")
		if phone == "" {
			http.Error(w, "phone required", http.StatusBadRequest)
			return
		}
		switch err := otp.Send(phone); {
		case errors.Is(err, ErrTooSoon):
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		case err != nil:
			log.Printf("guest: send code: %v", err)
			http.Error(w, "could not send code", http.StatusBadGateway)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	}
}

// MakeVerifyCode returns POST /auth/verify: it checks the code and signs the guest in.
func MakeVerifyCode(otp *OTP, sessions *Sessions, profiles *Profiles, guestIDFor func(phone string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		phone, code := r.FormValue("phone"), r.FormValue("code")
		if err := otp.Verify(phone, code); err != nil {
			status := http.StatusUnauthorized
			if errors.Is(err, ErrLocked) {
				status = http.StatusTooManyRequests
			}
			http.Error(w, err.Error(), status)
			return
		}
		guestID := guestIDFor(phone)
		sess, err := sessions.Create(guestID, phone)
		if err != nil {
			log.Printf("guest: create session: %v", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		pr, err := profiles.Load(guestID)
		if err == nil {
			pr.SetName(r.FormValue("name"))
			err = profiles.Save(pr)
		}
		if err != nil {
			log.Printf("guest: profile %s: %v", guestID, err)
		}
		SetCookie(w, sess)
		w.WriteHeader(http.StatusNoContent)
	}
}

// MakeMagicLink returns GET /in/{token}.
func MakeMagicLink(sessions *Sessions, profiles *Profiles) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := sessions.RedeemMagicLink(r.PathValue("token"))
		if err != nil {
			http.Error(w, ErrLinkUsed.Error(), http.StatusGone)
			return
		}
		profiles.RecordVisit(sess.GuestID)
		SetCookie(w, sess)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

// MakeHold returns POST /me/hold: remember the slot the guest is booking.
func MakeHold(sessions *Sessions) http.HandlerFunc {
	return sessions.WithSession(func(w http.ResponseWriter, r *http.Request, st *State) {
		var body struct {
			Slot  string `json:"slot"`
			Party int    `json:"party"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		if body.Slot == "" {
			st.ReleaseHold()
		} else {
			st.HoldSlot(body.Slot, body.Party)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// MakeLogout returns POST /me/logout.
func MakeLogout(sessions *Sessions) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := sessions.Begin(r)
		if err != nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err := sessions.Logout(w, st); err != nil {
			log.Printf("guest: logout: %v", err)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
