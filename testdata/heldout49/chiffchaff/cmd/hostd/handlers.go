package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/chiffchaff/podhost/internal/catalog"
	"github.com/chiffchaff/podhost/internal/counters"
	"github.com/chiffchaff/podhost/internal/kvstore"
	"github.com/chiffchaff/podhost/internal/ratelimit"
	"github.com/chiffchaff/podhost/internal/session"
)

const sessionCookie = "cc_sess"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func makeDownload(cat *catalog.Service, cnt *counters.Service, allow ratelimit.AllowFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := ratelimit.ClientIP(r)
		if ok, err := allow(r.Context(), ip); err == nil && !ok {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		showID, epID := r.PathValue("show"), r.PathValue("episode")
		sh, err := cat.Show(r.Context(), showID)
		if errors.Is(err, catalog.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if _, err := cnt.RecordDownload(r.Context(), &counters.RecordDownloadRequest{
			ShowID: sh.ID, EpisodeID: epID, ClientIP: ip, UserAgent: r.UserAgent(),
		}); err != nil {
			log.Printf("download count %s/%s: %v", sh.ID, epID, err)
		}
		http.Redirect(w, r, "https://media.chiffchaff.fm/"+sh.ID+"/"+epID+".mp3", http.StatusFound)
	}
}

// history is the per-listener list of recently played episodes.
type history struct {
	Episodes []string  `json:"episodes"`
	Updated  time.Time `json:"updated"`
}

func appendHistory(ctx context.Context, ns *kvstore.Namespace, now func() time.Time, userID, episodeID string) {
	key := "history:" + userID
	var h history
	if raw, err := ns.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &h)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		log.Printf("history %s: %v", userID, err)
		return
	}
	h.Episodes = append([]string{episodeID}, h.Episodes...)
	if len(h.Episodes) > 100 {
		h.Episodes = h.Episodes[:100]
	}
	h.Updated = now()
	body, _ := json.Marshal(h)
	if err := ns.Put(ctx, key, body); err != nil { // EXPECT kvrace
		log.Printf("history %s: %v", userID, err)
	}
}

func makePlay(ns *kvstore.Namespace, sessions *session.Manager, cnt *counters.Service, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		epID := r.PathValue("episode")
		secs, _ := strconv.Atoi(r.URL.Query().Get("t"))
		c, err := r.Cookie(sessionCookie)
		userID := ""
		if err == nil {
			if s, err := sessions.Get(r.Context(), session.Listener, c.Value); err == nil {
				userID = s.UserID
			}
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := cnt.RecordPlay(ctx, &counters.RecordPlayRequest{EpisodeID: epID, Seconds: secs}); err != nil {
				log.Printf("play %s: %v", epID, err)
			}
			if userID != "" {
				appendHistory(ctx, ns, now, userID, epID)
			}
		}()
		w.WriteHeader(http.StatusNoContent)
	}
}

type progressRequest struct {
	EpisodeID string   `json:"episode_id"`
	Position  int      `json:"position"`
	Enqueue   []string `json:"enqueue"`
	Dequeue   []string `json:"dequeue"`
}

func makeProgress(sessions *session.Manager) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		st, err := sessions.Begin(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		defer func() {
			if err := st.Save(r.Context()); err != nil {
				log.Printf("progress save: %v", err)
			}
		}()
		var req progressRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if req.EpisodeID != "" {
			st.SetPosition(req.EpisodeID, req.Position)
		}
		for _, id := range req.Enqueue {
			st.Enqueue(id)
		}
		for _, id := range req.Dequeue {
			st.Dequeue(id)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func makeLogout(sessions *session.Manager, kind session.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil {
			if err := sessions.Logout(r.Context(), kind, c.Value); err != nil {
				log.Printf("logout: %v", err)
			}
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

func makeDashboard(sessions *session.Manager) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		s, err := sessions.Touch(r.Context(), session.Creator, c.Value)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"user": s.UserID, "expires": s.ExpiresAt})
	}
}

func makeRedeem(auth *session.Auth) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := auth.RedeemMagicLink(r.Context(), r.URL.Query().Get("token"))
		if err != nil {
			http.Error(w, "link expired", http.StatusGone)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.ID, Path: "/", HttpOnly: true, Secure: true, Expires: s.ExpiresAt})
		http.Redirect(w, r, "/dashboard", http.StatusFound)
	}
}

func makeReserve(cat *catalog.Service, sessions *session.Manager) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		s, err := sessions.Get(r.Context(), session.Creator, c.Value)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		var req catalog.ReserveRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		req.OwnerID = s.UserID
		resp, err := cat.Reserve(r.Context(), &req)
		switch {
		case errors.Is(err, catalog.ErrSubdomainTaken):
			http.Error(w, "taken", http.StatusConflict)
		case errors.Is(err, catalog.ErrInvalid):
			http.Error(w, "invalid subdomain", http.StatusBadRequest)
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		default:
			writeJSON(w, http.StatusOK, resp)
		}
	}
}

func makeView(cnt *counters.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cnt.NoteView(r.PathValue("episode"))
		w.WriteHeader(http.StatusNoContent)
	}
}

func makeHealth(ns *kvstore.Namespace, probeKey string, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := ns.Put(ctx, probeKey, []byte(now().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
			http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}
}
