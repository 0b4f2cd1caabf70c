//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const maxBootstrapAttempts = 10

// bootstrapToken mirrors the record the secrets engine writes under
// token:boot:<token>.
type bootstrapToken struct {
	Env     string    `json:"env"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
}

// BootstrapHandler redeems a bootstrap token for a preview session.
type BootstrapHandler struct {
	Sessions *SessionManager
}

func (h *BootstrapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ns, err := openNamespaces(r.Context())
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}

	attemptsKey := "attempts:bootstrap:" + clientIP(r)
	raw, err := ns.tokens.GetString(attemptsKey, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "token store unavailable", http.StatusServiceUnavailable)
		return
	}
	attempts, err := strconv.Atoi(raw)
	if err != nil {
		http.Error(w, "token store unavailable", http.StatusServiceUnavailable)
		return
	}
	if attempts >= maxBootstrapAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	tok := r.FormValue("token")
	val, err := ns.tokens.GetString("token:boot:"+tok, nil)
	if err != nil {
		http.Error(w, "token store unavailable", http.StatusServiceUnavailable)
		return
	}
	if tok == "" || val == kvNull {
		_ = ns.tokens.PutString(attemptsKey, strconv.Itoa(attempts+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter|kvrace
			ExpirationTTL: 900,
		})
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	var bt bootstrapToken
	if err := json.Unmarshal([]byte(val), &bt); err != nil {
		http.Error(w, "corrupt token", http.StatusInternalServerError)
		return
	}

	// Bootstrap tokens are single use.
	if err := ns.tokens.Delete("token:boot:" + tok); err != nil { // EXPECT kvsession
		http.Error(w, "token store unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := h.Sessions.Create(w, ns, "bootstrap:"+bt.Env, []string{bt.Env}); err != nil {
		http.Error(w, "could not start session", http.StatusBadGateway)
		return
	}

	// The CLI polls this key to learn that the browser finished the flow.
	if cli := r.FormValue("cli_nonce"); cli != "" {
		_ = ns.tokens.PutString("handoff-done:"+cli, bt.Env, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: 30, // EXPECT kvttl
		})
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// ShareHandler mints share links for a preview: a link for a reviewer that
// works for the rest of the day, and a short-lived link for the CLI's QR code.
type ShareHandler struct{}

func (ShareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ns, err := openNamespaces(r.Context())
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	env := r.URL.Query().Get("env")
	now := time.Now()
	links := map[string]string{}

	switch r.URL.Query().Get("kind") {
	case "reviewer":
		id := randomID(16)
		eod := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, time.UTC)
		err = ns.tokens.PutString("share:"+id, env, &cloudflare.KVNamespacePutOptions{
			Expiration: int(eod.Unix()), // DEBATABLE kvttl
		})
		links["reviewer"] = id
	case "qr":
		id := randomID(16)
		err = ns.tokens.PutString("share:"+id, env, &cloudflare.KVNamespacePutOptions{
			Expiration: int(now.Add(30 * time.Second).Unix()), // EXPECT kvttl
		})
		links["qr"] = id
	case "demo":
		id := randomID(16)
		err = ns.tokens.PutString("share:"+id, env, &cloudflare.KVNamespacePutOptions{
			Expiration: int(now.UnixMilli()) + 3_600_000, // EXPECT kvttl
		})
		links["demo"] = id
	default:
		id := randomID(16)
		err = ns.tokens.PutString("share:"+id, env, &cloudflare.KVNamespacePutOptions{
			Expiration: int(now.Add(15 * time.Minute).Unix()),
		})
		links["default"] = id
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(links)
}
