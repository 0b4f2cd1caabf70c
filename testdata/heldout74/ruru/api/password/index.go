// Package handler serves /api/password: the listener changes their password
// and every other player session is signed out.
package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"net/http"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

// Handler forwards the change to the accounts service, then signs out the
// user's other sessions.
func Handler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sid := vercelkv.SessionID(r)
	st, cfg, err := vercelkv.Store()
	if err != nil || sid == "" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	var sess podcast.PlayerSession
	if err := st.GetJSON(ctx, podcast.SessionKey(sid), &sess); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, _ := json.Marshal(map[string]string{"user": sess.UserID, "password": r.FormValue("password")})
	resp, err := http.Post(cfg.OriginURL+"/accounts/password", "application/json", bytes.NewReader(body))
	if err != nil {
		http.Error(w, "accounts unavailable", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		http.Error(w, "password rejected", http.StatusUnprocessableEntity)
		return
	}

	var others []string
	if err := st.GetJSON(ctx, podcast.UserSessionsKey(sess.UserID), &others); err != nil && !errors.Is(err, kvclient.ErrNotFound) {
		log.Printf("session index for %s: %v", sess.UserID, err)
	}
	for _, id := range others {
		if id == sid {
			continue
		}
		if err := st.Delete(ctx, podcast.SessionKey(id)); err != nil { // EXPECT kvsession
			log.Printf("sign out %s: %v", id, err)
		}
	}
	if err := st.PutJSON(ctx, podcast.UserSessionsKey(sess.UserID), []string{sid}, cfg.SessionTTL); err != nil { // DEBATABLE kvsession
		log.Printf("reset session index for %s: %v", sess.UserID, err)
	}
	w.WriteHeader(http.StatusNoContent)
}
