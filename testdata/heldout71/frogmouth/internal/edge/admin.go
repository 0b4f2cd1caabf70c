//go:build js && wasm

package edge

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	previewLifetime = 30
	sweepMaxPages   = 10
)

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func outputsPrefix(r *http.Request) string {
	return "edge:" + r.PathValue("tenant") + ":" + r.PathValue("name") + ":"
}

// listOutputs returns one page of cached outputs for the console.
func (b *bindings) listOutputs(w http.ResponseWriter, r *http.Request) {
	res, err := b.outputs.List(&kv.ListOptions{
		Prefix: outputsPrefix(r),
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, outputsPrefix(r)))
	}
	writeJSON(w, map[string]any{"keys": names, "cursor": res.Cursor, "list_complete": res.ListComplete})
}

// purgeOutputs drops the edge cache of a function after a bad deploy.
func (b *bindings) purgeOutputs(w http.ResponseWriter, r *http.Request) {
	res, err := b.outputs.List(&kv.ListOptions{Prefix: outputsPrefix(r)}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, k := range res.Keys {
		if err := b.outputs.Delete(k.Name); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	writeJSON(w, map[string]int{"purged": len(res.Keys)})
}

// createPreview mints a short link that runs an unpublished build.
func (b *bindings) createPreview(w http.ResponseWriter, r *http.Request) {
	tok := make([]byte, 18)
	_, _ = rand.Read(tok)
	id := base64.RawURLEncoding.EncodeToString(tok)
	payload, _ := json.Marshal(map[string]string{
		"tenant": r.PathValue("tenant"), "function": r.PathValue("name"), "build": r.URL.Query().Get("build"),
	})
	err := b.state.PutString("preview:"+id, string(payload), &kv.PutOptions{
		Expiration: int(time.Now().Unix()) + previewLifetime, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]string{"url": fmt.Sprintf("https://%s/p/%s", r.Host, id)})
}

// Sweep runs on the Worker's cron trigger: it reports how many preview
// links are live and records when it ran.
func Sweep(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	b, err := open()
	if err != nil {
		return err
	}
	live, cursor := 0, ""
	for range sweepMaxPages {
		res, err := b.state.List(&kv.ListOptions{Prefix: "preview:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		live += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	report, _ := json.Marshal(map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime, "live_previews": live})
	return b.state.PutString("edge:sweep:last", string(report), &kv.PutOptions{ExpirationTTL: 7 * 86400})
}
