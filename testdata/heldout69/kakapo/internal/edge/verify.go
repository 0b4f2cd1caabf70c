//go:build js && wasm

package edge

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/kakapo-auctions/kakapo/internal/bidder"
)

const edgeSessionTTL = 30 * 24 * time.Hour

// verify checks a bidder's phone code and signs the bidder in.
func (s *server) verify(w http.ResponseWriter, r *http.Request) {
	bidders, ok := namespace(w, "BIDDERS")
	if !ok {
		return
	}
	sessions, ok := namespace(w, "SESSIONS")
	if !ok {
		return
	}
	var in struct {
		BidderID string `json:"bidder_id"`
		Code     string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.BidderID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}

	key := bidder.OTPKey(in.BidderID)
	raw, err := bidders.GetString(key, nil)
	if err != nil {
		http.Error(w, "verification unavailable", http.StatusBadGateway)
		return
	}
	if raw == null {
		http.Error(w, "code expired, request a new one", http.StatusGone)
		return
	}
	var v bidder.Verification
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		http.Error(w, "verification unavailable", http.StatusInternalServerError)
		return
	}

	if subtle.ConstantTimeCompare([]byte(v.Code), []byte(in.Code)) != 1 {
		attemptsKey := bidder.VerifyAttemptsKey(in.BidderID)
		cur, _ := bidders.GetString(attemptsKey, nil) // EXPECT kvnull
		n, _ := strconv.Atoi(cur)
		_ = bidders.PutString(attemptsKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}) // EXPECT kvrace|kvcounter
		http.Error(w, "incorrect code", http.StatusForbidden)
		return
	}
	if err := bidders.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "verification unavailable", http.StatusBadGateway)
		return
	}

	now := time.Now().UTC()
	sess := bidder.Session{
		Token: bidder.NewToken(), UserID: in.BidderID,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(edgeSessionTTL),
	}
	body, _ := json.Marshal(sess)
	if err := sessions.PutString(bidder.SessionKey(sess.Token), string(body), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(edgeSessionTTL.Seconds()),
	}); err != nil {
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: "kakapo_session", Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, map[string]bool{"verified": true})
}
