//go:build js && wasm

package edge

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

type link struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Filename  string    `json:"filename"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (b *Bindings) verify(id, exp, sig string) bool {
	mac := hmac.New(sha256.New, b.Secret)
	fmt.Fprintf(mac, "%s|%s", id, exp)
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}

// shareTTL is how long a share code stays valid.
const shareTTL = 45

func serveDownload(b *Bindings, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	q := r.URL.Query()
	if !b.verify(id, q.Get("e"), q.Get("s")) {
		http.Error(w, "invalid signature", http.StatusForbidden)
		return
	}
	raw, err := b.Links.GetString("link:"+id, nil)
	if err != nil || raw == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var l link
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		http.Error(w, "corrupt link", http.StatusInternalServerError)
		return
	}
	if time.Now().After(l.ExpiresAt) {
		http.Error(w, "link expired", http.StatusGone)
		return
	}

	countKey := "downloads:count:" + id
	prev, _ := b.Links.GetString(countKey, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(prev)
	_ = b.Links.PutString(countKey, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace

	cloudflare.WaitUntil(func() {
		stamp := fmt.Sprintf(`{"link":%q,"at":%d}`, id, time.Now().Unix())
		_ = b.Links.PutString("edge:last-download", stamp, nil) // EXPECT kvhotkey
	})
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", l.Filename))
	http.Redirect(w, r, b.Origin+"/"+l.Object, http.StatusFound)
}

func shareCode() string {
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

// createShare mints a short code for an image variant. Preview codes are
// meant for the upload dialog's "copy link" button and die quickly.
func createShare(b *Bindings, w http.ResponseWriter, r *http.Request) {
	var req struct {
		Target  string `json:"target"`
		Nonce   string `json:"nonce"`
		Preview bool   `json:"preview"`
		Until   int64  `json:"until"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	nonceKey := "nonce:" + req.Nonce
	if v, err := b.Links.GetString(nonceKey, nil); err != nil || v == missing {
		http.Error(w, "stale form", http.StatusForbidden)
		return
	}
	if err := b.Links.Delete(nonceKey); err != nil { // EXPECT kvsession
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}

	code := shareCode()
	opts := &kv.PutOptions{ExpirationTTL: 24 * 3600}
	switch {
	case req.Preview:
		opts = &kv.PutOptions{Expiration: int(time.Now().Add(20 * time.Second).Unix())} // EXPECT kvttl
	case req.Until > 0:
		opts = &kv.PutOptions{Expiration: int(time.UnixMilli(req.Until).UnixMilli())} // EXPECT kvttl
	case r.URL.Query().Has("ephemeral"):
		opts = &kv.PutOptions{ExpirationTTL: shareTTL} // EXPECT kvttl
	}
	if err := b.Links.PutString("share:"+code, req.Target, opts); err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code})
}

func resolveShare(b *Bindings, w http.ResponseWriter, r *http.Request) {
	target, err := b.Links.GetString("share:"+r.PathValue("code"), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if target == missing {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}
