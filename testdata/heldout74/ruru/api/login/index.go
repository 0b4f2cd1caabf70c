// Package handler serves /api/login for the web player.
package handler

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Handler checks the listener's credentials with the accounts service and
// starts a player session.
func Handler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var c credentials
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	st, cfg, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	payload, _ := json.Marshal(c)
	resp, err := http.Post(cfg.OriginURL+"/accounts/verify", "application/json", bytes.NewReader(payload))
	if err != nil {
		http.Error(w, "accounts unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fails, _ := strconv.Atoi(resp.Header.Get("X-Failed-Attempts"))
		if err := st.Put(r.Context(), "login:attempts:"+strings.ToLower(c.Email), []byte(strconv.Itoa(fails+1)), 15*time.Minute); err != nil { // EXPECT kvcounter
			log.Printf("record failed login: %v", err)
		}
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	var account struct {
		UserID string `json:"userId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&account); err != nil {
		http.Error(w, "accounts unavailable", http.StatusBadGateway)
		return
	}

	sid := vercelkv.NewID()
	sess := podcast.PlayerSession{UserID: account.UserID, CreatedAt: time.Now().UTC()}
	if err := st.PutJSON(r.Context(), podcast.SessionKey(sid), sess, cfg.SessionTTL); err != nil {
		http.Error(w, "could not start session", http.StatusBadGateway)
		return
	}
	vercelkv.SetSession(w, sid, cfg.SessionTTL)
	if err := st.Put(r.Context(), "stats:last-login", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		log.Printf("record login time: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
