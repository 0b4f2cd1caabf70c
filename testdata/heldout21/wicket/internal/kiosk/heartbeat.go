//go:build js && wasm

package kiosk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Heartbeats receives beats on the edge and answers the status board.
type Heartbeats struct {
	kv  *cloudflare.KVNamespace
	pub *Publisher
}

func NewHeartbeats(kv *cloudflare.KVNamespace, pub *Publisher) *Heartbeats {
	return &Heartbeats{kv: kv, pub: pub}
}

func beatKey(id ID) string { return "kiosk-beat:" + string(id) }

// ServeHTTP handles POST /kiosk/beat.
func (h *Heartbeats) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b Beat
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&b); err != nil {
		http.Error(w, "bad beat", http.StatusBadRequest)
		return
	}
	if _, err := NewID(string(b.Kiosk)); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	b.At = now
	stamp := strconv.FormatInt(now.Unix(), 10)
	if err := h.kv.PutString(beatKey(b.Kiosk), stamp, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}); err != nil {
		http.Error(w, "store failed", http.StatusBadGateway)
		return
	}
	if err := h.kv.PutString("kiosk-fleet:last-beat", stamp, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "store failed", http.StatusBadGateway)
		return
	}
	h.pub.Offer(b)
	w.WriteHeader(http.StatusNoContent)
}

// lastBeat returns the stored unix time of the kiosk's last beat.
func (h *Heartbeats) lastBeat(id ID) (string, error) {
	return h.kv.GetString(beatKey(id), &cloudflare.KVNamespaceGetOptions{CacheTTL: 30})
}

// Staleness reports how long ago the kiosk was last heard from.
func (h *Heartbeats) Staleness(id ID, now time.Time) (time.Duration, bool, error) {
	last, err := h.lastBeat(id)
	if err != nil {
		return 0, false, err
	}
	if last == "" { // EXPECT kvnull
		return 0, false, nil
	}
	sec, err := strconv.ParseInt(last, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("kiosk: beat for %s: %w", id, err)
	}
	return now.Sub(time.Unix(sec, 0)), true, nil
}

// bundleSize is the fixed size of the offline catalogue image loaded onto
// kiosks when the network is down.
const bundleSize = 40 << 20

// StoreOfflineBundle copies the nightly offline catalogue image into KV.
func (h *Heartbeats) StoreOfflineBundle(branch string, src io.Reader) error {
	buf := make([]byte, bundleSize)
	if _, err := io.ReadFull(src, buf); err != nil {
		return fmt.Errorf("kiosk: bundle for %s: %w", branch, err)
	}
	return h.kv.PutReader("offline-bundle:"+branch, bytes.NewReader(buf), nil) // EXPECT kvlimits
}
