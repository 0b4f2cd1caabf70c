package kvhotkey

import (
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// joinKey joins the non-empty parts of a key.
func joinKey(parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ":")
}

type chat struct{ ns *kv.Namespace }

// A key joined from fixed parts is the same on every request.
func (c *chat) send(w http.ResponseWriter, r *http.Request) { // want send:"kvhotkey"
	_ = c.ns.PutString(joinKey("stats", "chat", "last_message_at"), time.Now().UTC().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
}

// Quiet: one of the parts is the request's.
func (c *chat) typing(w http.ResponseWriter, r *http.Request) {
	_ = c.ns.PutString(joinKey("typing", r.FormValue("conversation"), "last"), time.Now().UTC().Format(time.RFC3339), nil)
}

var game *kv.Namespace

// A plain handler function, with no receiver, writes a fixed key too.
func submitScore(w http.ResponseWriter, r *http.Request) { // want submitScore:"kvhotkey"
	_ = game.PutString(joinKey("lb", "dirty"), "1", nil) // want `this handler writes the same KV key on every request`
}

// Quiet: a fixed key that names a setting, not each request's mark.
func saveMotd(w http.ResponseWriter, r *http.Request) {
	_ = game.PutString(joinKey("config", "motd"), r.FormValue("text"), nil)
}
