//go:build js && wasm

package session

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// ErrLinkUsed is returned for a magic link that was already redeemed or expired.
var ErrLinkUsed = errors.New("session: link used or expired")

type link struct {
	Email string `json:"email"`
	Site  string `json:"site"`
}

func linkEntry(token string, l link) (string, string, time.Duration) {
	raw, _ := json.Marshal(l)
	return "magic:" + token, string(raw), kvx.FirstNonZero(linkLifetime, 15*time.Minute)
}

// linkLifetime may be shortened for a site in config; zero means default.
var linkLifetime time.Duration

// IssueLink creates a sign-in link token for a customer.
func IssueLink(st *edgekv.Store, email, site string) (string, error) {
	token := kvx.NewID()
	if err := st.PutFor(linkEntry(token, link{Email: email, Site: site})); err != nil {
		return "", err
	}
	return token, nil
}

// RedeemLink consumes token and returns the customer it was issued to.
func RedeemLink(st *edgekv.Store, token string) (email, site string, err error) {
	raw, ok, err := st.Lookup("magic:" + token)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", ErrLinkUsed
	}
	var l link
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		return "", "", err
	}
	if err := st.Forget("magic:" + token); err != nil { // EXPECT kvsession
		return "", "", err
	}
	return l.Email, l.Site, nil
}
