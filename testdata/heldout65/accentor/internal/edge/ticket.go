//go:build js && wasm

package edge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

type loginTicket struct {
	UserID string   `json:"u"`
	Guilds []string `json:"g"`
	Exp    int64    `json:"exp"`
}

// verifyLoginTicket checks the HMAC-signed ticket the gateway service hands
// the browser after Discord OAuth.
func verifyLoginTicket(t string) (string, []string, bool) {
	payload, sig, ok := strings.Cut(t, ".")
	if !ok {
		return "", nil, false
	}
	mac := hmac.New(sha256.New, []byte(cloudflare.Getenv("LOGIN_TICKET_SECRET")))
	mac.Write([]byte(payload))
	want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return "", nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", nil, false
	}
	var lt loginTicket
	if err := json.Unmarshal(raw, &lt); err != nil || time.Now().Unix() > lt.Exp {
		return "", nil, false
	}
	return lt.UserID, lt.Guilds, true
}
