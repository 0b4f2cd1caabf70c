//go:build js && wasm

package edge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// claimVanity lets a clinician pick the short link on their booking page.
func (a *App) claimVanity(w http.ResponseWriter, r *http.Request) {
	clinicianID := r.PathValue("id")
	var in struct {
		Slug string `json:"slug"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "slug required", http.StatusBadRequest)
		return
	}
	slug := strings.ToLower(strings.TrimSpace(in.Slug))
	if len(slug) < 3 || len(slug) > 40 || strings.ContainsAny(slug, "/?#: ") {
		http.Error(w, "invalid slug", http.StatusBadRequest)
		return
	}
	key := "vanity:" + slug
	owner, taken, err := getString(a.KV, key, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if taken && owner != clinicianID {
		http.Error(w, "slug already taken", http.StatusConflict)
		return
	}
	if err := a.KV.PutString(key, clinicianID, nil); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": "https://book.meridian.health/" + url.PathEscape(slug)})
}

// videoOAuthCallback completes a clinician's connection to the video vendor.
// The clinician app stored the state under oauth-state:<state> when it sent
// the clinician to the vendor's consent page.
func (a *App) videoOAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := "oauth-state:" + q.Get("state")
	clinicianID, ok, err := getString(a.KV, key, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "sign-in link expired", http.StatusBadRequest)
		return
	}
	if err := a.KV.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if _, err := a.DB.ExecContext(r.Context(),
		`INSERT INTO video_oauth_codes (clinician_id, code, received_at) VALUES (?, ?, ?)`,
		clinicianID, q.Get("code"), time.Now().Unix()); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/settings/video?connected=1", http.StatusFound)
}

type videoEvent struct {
	Type   string    `json:"type"`
	RoomID string    `json:"room_id"`
	At     time.Time `json:"at"`
}

// videoWebhook receives room lifecycle events from the video vendor.
func (a *App) videoWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(cloudflare.Getenv("VIDEO_WEBHOOK_SECRET")))
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Video-Signature"))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev videoEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.RoomID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if err := a.KV.PutString("video-room:"+ev.RoomID, string(body), &kv.PutOptions{ExpirationTTL: 6 * 3600}); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if err := a.KV.PutString("video:last-webhook", ev.At.UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
