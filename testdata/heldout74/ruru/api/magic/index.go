// Package handler serves /api/magic: passwordless sign-in links for the web
// player. POST mails a link; GET redeems it.
package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

const linkLifetime = 15 * time.Minute

// Handler issues and redeems magic links.
func Handler(w http.ResponseWriter, r *http.Request) {
	st, cfg, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	ctx := r.Context()
	switch r.Method {
	case http.MethodPost:
		userID := r.FormValue("user")
		if userID == "" {
			http.Error(w, "user is required", http.StatusBadRequest)
			return
		}
		code := vercelkv.NewID()
		if err := st.Put(ctx, podcast.MagicLinkKey(code), []byte(userID), linkLifetime); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		mail, _ := json.Marshal(map[string]string{"user": userID, "link": "https://ruru.fm/api/magic?code=" + code})
		if resp, err := http.Post(cfg.OriginURL+"/mail/magic-link", "application/json", bytes.NewReader(mail)); err == nil {
			resp.Body.Close()
		}
		w.WriteHeader(http.StatusAccepted)

	case http.MethodGet:
		code := r.URL.Query().Get("code")
		userID, err := st.Get(ctx, podcast.MagicLinkKey(code))
		if errors.Is(err, kvclient.ErrNotFound) {
			http.Error(w, "link expired or already used", http.StatusGone)
			return
		} else if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		if err := st.Delete(ctx, podcast.MagicLinkKey(code)); err != nil { // EXPECT kvsession
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		sid := vercelkv.NewID()
		sess := podcast.PlayerSession{UserID: string(userID), CreatedAt: time.Now().UTC()}
		if err := st.PutJSON(ctx, podcast.SessionKey(sid), sess, cfg.SessionTTL); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		vercelkv.SetSession(w, sid, cfg.SessionTTL)
		http.Redirect(w, r, "/player", http.StatusSeeOther)

	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
