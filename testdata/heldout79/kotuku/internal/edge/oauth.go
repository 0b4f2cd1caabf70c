//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Buyers sign in with a third-party identity provider. The OAuth state is
// kept in KV between the redirect and the callback.
type oauthState struct {
	Return string `json:"return"`
	At     int64  `json:"at"`
}

const stateTTL = 10 * time.Minute

// BeginLogin stores a fresh state and redirects to the provider.
func (w *Worker) BeginLogin(rw http.ResponseWriter, r *http.Request) {
	state := rand.Text()
	raw, _ := json.Marshal(oauthState{Return: r.URL.Query().Get("return"), At: time.Now().Unix()})
	err := w.kv.Main.PutString("oauth:state:"+state, string(raw), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(stateTTL / time.Second),
	})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(rw, r, "https://id.example.com/authorize?state="+state, http.StatusFound)
}

// Callback finishes the login started by BeginLogin.
func (w *Worker) Callback(rw http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	key := "oauth:state:" + state
	v, ok, err := getText(w.kv.Main, key, 0)
	if err != nil || !ok {
		tries, _ := strconv.Atoi(r.Header.Get("X-Login-Retry"))
		_ = w.kv.Main.PutString("oauth:attempts:"+r.Header.Get("CF-Connecting-IP"), strconv.Itoa(tries+1), // EXPECT kvcounter
			&cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
		http.Error(rw, "login expired", http.StatusBadRequest)
		return
	}
	_ = w.kv.Main.Delete(key) // EXPECT kvsession
	var st oauthState
	_ = json.Unmarshal([]byte(v), &st)
	http.Redirect(rw, r, st.Return, http.StatusFound)
}

// Seen records the buyer's last page view on their session record.
func (w *Worker) Seen(r *http.Request) {
	c, err := r.Cookie("kotuku_bsid")
	if err != nil {
		return
	}
	key := "bsession:" + c.Value
	v, ok, err := getText(w.kv.Main, key, 0)
	if err != nil || !ok {
		return
	}
	var sess map[string]any
	if json.Unmarshal([]byte(v), &sess) != nil {
		return
	}
	sess["last_path"] = r.URL.Path
	sess["last_seen"] = time.Now().Unix()
	raw, _ := json.Marshal(sess)
	_ = w.kv.Main.PutString(key, string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}) // EXPECT kvsession|kvrace
}
