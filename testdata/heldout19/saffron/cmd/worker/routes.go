//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"

	"example.com/saffron/internal/drafts"
	"example.com/saffron/internal/staff"
	"example.com/saffron/internal/takeaway"
)

func registerStaff(mux *http.ServeMux, auth *staff.Auth) {
	mux.HandleFunc("POST /staff/login", func(w http.ResponseWriter, r *http.Request) {
		s, err := auth.Login(r.Context(), r.FormValue("email"), r.FormValue("password"), r.FormValue("restaurant"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		setSession(w, s)
	})
	mux.HandleFunc("POST /staff/logout", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("saffron_staff"); err == nil {
			_ = auth.Logout(r.Context(), c.Value)
		}
		http.SetCookie(w, &http.Cookie{Name: "saffron_staff", Path: "/", MaxAge: -1})
	})
	mux.HandleFunc("GET /staff/sso", func(w http.ResponseWriter, r *http.Request) {
		u, err := auth.BeginSSO(r.Context(), r.URL.Query().Get("restaurant"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, u, http.StatusFound)
	})
	mux.HandleFunc("GET /staff/sso/callback", func(w http.ResponseWriter, r *http.Request) {
		s, err := auth.FinishSSO(r.Context(), r.URL.Query().Get("state"), r.URL.Query().Get("code"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		setSession(w, s)
	})
}

func setSession(w http.ResponseWriter, s staff.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: "saffron_staff", Value: s.ID, Path: "/", Expires: s.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	w.WriteHeader(http.StatusNoContent)
}

func registerEditing(mux *http.ServeMux, d *drafts.Service, orders *takeaway.Service) {
	mux.HandleFunc("PUT /drafts/{menu}", func(w http.ResponseWriter, r *http.Request) {
		var draft drafts.Draft
		if err := json.NewDecoder(r.Body).Decode(&draft); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		draft.Menu = r.PathValue("menu")
		respond(w, d.Autosave(r.Context(), draft))
	})
	mux.HandleFunc("POST /drafts/{menu}/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		respond(w, d.Heartbeat(r.Context(), r.PathValue("menu"), r.FormValue("editor")))
	})
	mux.HandleFunc("POST /drafts/{menu}/lock", func(w http.ResponseWriter, r *http.Request) {
		respond(w, d.Lock(r.Context(), r.PathValue("menu"), r.FormValue("editor")))
	})
	mux.HandleFunc("POST /takeaway/carts/{id}/items", func(w http.ResponseWriter, r *http.Request) {
		var it takeaway.Item
		if err := json.NewDecoder(r.Body).Decode(&it); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, err := orders.AddItem(r.Context(), r.PathValue("id"), r.FormValue("restaurant"), it)
		respond(w, err)
	})
}

func respond(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
