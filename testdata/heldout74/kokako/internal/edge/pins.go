//go:build js && wasm

package edge

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"

	"github.com/samber/do"
	"github.com/syumai/workers/cloudflare"
)

// PINGate checks registration PINs before the request reaches the portal.
type PINGate struct {
	pins *cloudflare.KVNamespace
}

// NewPINGate resolves the PIN namespace from the injector.
func NewPINGate(i *do.Injector) (*PINGate, error) {
	return &PINGate{pins: do.MustInvokeNamed[*cloudflare.KVNamespace](i, "pins-kv")}, nil
}

func digest(pin string) string {
	sum := sha256.Sum256([]byte(pin))
	return hex.EncodeToString(sum[:])
}

// ServeHTTP answers POST /terms/{term}/pin.
func (g *PINGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	termID := r.PathValue("term")
	student := r.Header.Get("X-Student-ID")
	pin := r.FormValue("pin")

	lock, err := g.pins.GetString("pin-lock:"+termID+":"+student, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if lock != "<null>" {
		http.Error(w, "wait a moment before trying again", http.StatusTooManyRequests)
		return
	}

	key := "pin:" + termID + ":" + student
	want, err := g.pins.GetString(key, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if want == "<null>" || subtle.ConstantTimeCompare([]byte(want), []byte(digest(pin))) != 1 {
		_ = g.pins.PutString("pin-lock:"+termID+":"+student, "1", &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: 30, // EXPECT kvttl
		})
		http.Error(w, "invalid PIN", http.StatusForbidden)
		return
	}
	if err := g.pins.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
