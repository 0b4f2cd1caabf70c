//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
)

type tokenRecord struct {
	Customer  string    `json:"customer"`
	Recipient string    `json:"recipient"`
	List      string    `json:"list"`
	QueueID   string    `json:"queue_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

var confirmPage = template.Must(template.New("confirm").Parse(`<!doctype html>
<title>Unsubscribe</title>
<form method="post">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p>Stop sending {{.List}} to {{.Recipient}}?</p>
<button>Unsubscribe</button>
</form>`))

// unsubscribePage shows a confirmation form for mail clients that open the
// link instead of POSTing to it.
func (a *App) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	raw, err := a.Links.GetString("unsub:tok:"+tok, nil)
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "This link has expired.", http.StatusGone)
		return
	}
	var rec tokenRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		http.Error(w, "bad token", http.StatusBadRequest)
		return
	}
	csrf := rand.Text()
	if err := a.Links.PutString("csrf:"+csrf, tok, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}); err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = confirmPage.Execute(w, map[string]string{"CSRF": csrf, "List": rec.List, "Recipient": rec.Recipient})
}

// unsubscribeOneClick handles the RFC 8058 POST and the confirmation form.
func (a *App) unsubscribeOneClick(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	key := "unsub:tok:" + tok
	raw, err := a.Links.GetString(key, // EXPECT kvnull
		&cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	var rec tokenRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		http.Error(w, "This link has expired.", http.StatusGone)
		return
	}

	entry, _ := json.Marshal(map[string]any{"reason": "unsubscribe", "list": rec.List, "at": time.Now().UTC(), "source": rec.QueueID})
	if err := a.Supp.PutString(suppressionKey(rec.Customer, rec.Recipient), string(entry), nil); err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	if err := a.Links.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}

	logKey := "unsub-log:" + rec.Customer + ":" + time.Now().UTC().Format("2006-01-02")
	old, err := a.Supp.GetString(logKey, nil)
	if err == nil {
		if old == null {
			old = ""
		}
		line := fmt.Sprintf("%s\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339), rec.List, rec.QueueID)
		_ = a.Supp.PutString(logKey, old+line, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
	}
	_ = a.Supp.PutString("edge:last-unsubscribe", rec.Customer+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("You have been unsubscribed."))
}
