package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

type invite struct {
	Team      string `json:"team"`
	Email     string `json:"email"`
	ExpiresAt int64  `json:"expires_at"`
}

// CreateInvite stores an invitation that expires with the invite.
func CreateInvite(w http.ResponseWriter, r *http.Request) {
	inv := invite{Team: r.FormValue("team"), Email: r.FormValue("email")}
	expiresAt := time.Now().Add(config.InviteLifetime)
	inv.ExpiresAt = expiresAt.UnixMilli() // the SPA wants milliseconds
	body, _ := json.Marshal(inv)
	invites, err := kv.NewNamespace("INVITES")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	code := newID()
	err = invites.PutString("invite:"+code, string(body), &kv.PutOptions{
		Expiration: int(inv.ExpiresAt), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write([]byte(code))
}

// CreateTeamInvite is the newer endpoint; it gets the units right.
func CreateTeamInvite(w http.ResponseWriter, r *http.Request) {
	expiresAt := time.Now().Add(config.InviteLifetime)
	inv := invite{Team: r.FormValue("team"), Email: r.FormValue("email"), ExpiresAt: expiresAt.UnixMilli()}
	body, _ := json.Marshal(inv)
	invites, _ := kv.NewNamespace("INVITES")
	_ = invites.PutString("invite:"+newID(), string(body), &kv.PutOptions{Expiration: int(expiresAt.Unix())})
}
