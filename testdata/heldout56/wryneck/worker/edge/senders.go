//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"
)

// domainClaim records which sender verified a sending domain.
type domainClaim struct {
	Sender  string    `json:"sender"`
	Token   string    `json:"token"`
	Claimed time.Time `json:"claimed"`
}

// domainHandler lets a sender claim a sending domain before DNS
// verification.
type domainHandler struct {
	kv     *cloudflare.KVNamespace
	verify *queues.Producer
}

func (d domainHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(r.PathValue("domain"))
	sender := r.Header.Get("X-Sender-ID")
	key := "sender-domain:" + domain
	existing, err := d.kv.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if existing != "<null>" {
		http.Error(w, "domain already claimed", http.StatusConflict)
		return
	}
	claim := domainClaim{Sender: sender, Token: randomToken(), Claimed: time.Now().UTC()}
	b, _ := json.Marshal(claim)
	if err := d.kv.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := d.verify.SendJSON(map[string]string{"domain": domain, "token": claim.Token}, queues.WithDelaySeconds(5*time.Minute)); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{"txt_record": "wryneck-verify=" + claim.Token})
}

// blockHandler checks whether an address is blocked before a transactional
// send from the edge.
type blockHandler struct {
	kv *cloudflare.KVNamespace
}

func (b blockHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	addr := strings.ToLower(r.URL.Query().Get("email"))
	if s, _ := b.kv.GetString("suppress:"+addr, nil); s != "" { // EXPECT kvnull
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// magicLinkHandler issues a one-time login link for the preference center.
type magicLinkHandler struct {
	kv     *cloudflare.KVNamespace
	mailer *queues.Producer
}

func (m magicLinkHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code := randomToken()
	b, _ := json.Marshal(map[string]string{"list_id": r.FormValue("list"), "email": r.FormValue("email")})
	if err := m.kv.PutString("magic:"+code, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = m.mailer.SendJSON(map[string]string{"template": "magic-link", "to": r.FormValue("email"), "code": code})
	w.WriteHeader(http.StatusAccepted)
}

// pendingHandler stores a signup confirmation code that the confirmation
// page polls for.
type pendingHandler struct {
	kv *cloudflare.KVNamespace
}

func (p pendingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code := randomToken()
	if err := p.kv.PutString("confirm-code:"+code, r.FormValue("email"), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code})
}
