//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/kakapo-auctions/kakapo/internal/auction"
)

// tickerTTL keeps the bid ticker fragment for a few seconds so a bidding war
// does not hit the summary on every poll.
const tickerTTL = 15

var lotTmpl = template.Must(template.New("lot").Parse(`<!doctype html>
<title>{{.Lot.Title}} · Kakapo</title>
<h1>{{.Lot.Title}}</h1>
<p>Closes {{.Lot.ClosesAt.Format "Mon 2 Jan 15:04 MST"}}</p>
{{with .Summary}}<p>Current bid {{.HighBidCents}} (paddle {{.HighPaddle}})</p>{{else}}<p>Opening at {{.Lot.OpeningCents}}</p>{{end}}
<div id="ticker" data-src="/lots/{{.Lot.ID}}/ticker"></div>`))

// lotJSON reads the lot projection, filling it from the catalogue on a miss.
func (s *server) lotJSON(lots *cloudflare.KVNamespace, id string) (string, error) {
	key := auction.LotKey(id)
	v, err := lots.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		return "", err
	}
	if v != null {
		return v, nil
	}
	body, status, err := s.origin("/api/kakapo/lots/" + escape(id))
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("origin: lot %s: status %d", id, status)
	}
	if err := lots.PutString(key, body, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300}); err != nil {
		return "", err
	}
	return body, nil
}

func (s *server) lotPage(w http.ResponseWriter, r *http.Request) {
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	id, err := lots.GetString(auction.SlugKey(r.PathValue("slug")), &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if id == null {
		http.NotFound(w, r)
		return
	}
	body, err := s.lotJSON(lots, id)
	if err != nil {
		http.Error(w, "lot unavailable", http.StatusBadGateway)
		return
	}
	var page struct {
		Lot     auction.Lot
		Summary *auction.Summary
	}
	if err := json.Unmarshal([]byte(body), &page.Lot); err != nil {
		http.Error(w, "lot unavailable", http.StatusInternalServerError)
		return
	}
	sumRaw, err := lots.GetString(auction.SummaryKey(id), &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err == nil && sumRaw != null {
		var sum auction.Summary
		if json.Unmarshal([]byte(sumRaw), &sum) == nil {
			page.Summary = &sum
		}
	}

	if db, err := openDB(); err == nil {
		cloudflare.WaitUntil(func() {
			_, _ = db.Exec(`INSERT INTO lot_stats (lot_id, views) VALUES (?, 1)
				ON CONFLICT (lot_id) DO UPDATE SET views = views + 1`, id)
		})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = lotTmpl.Execute(w, page)
}

func (s *server) ticker(w http.ResponseWriter, r *http.Request) {
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	id := r.PathValue("id")
	key := "ticker:" + id
	if frag, err := lots.GetString(key, nil); err == nil && frag != null {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, frag)
		return
	}
	raw, err := lots.GetString(auction.SummaryKey(id), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "ticker unavailable", http.StatusBadGateway)
		return
	}
	var sum auction.Summary
	if err := json.Unmarshal([]byte(raw), &sum); err != nil {
		http.Error(w, "ticker unavailable", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	for _, bid := range sum.Recent {
		fmt.Fprintf(&b, "<li>Paddle %d · %d · %s</li>", bid.Paddle, bid.AmountCents, bid.PlacedAt.Format(time.Kitchen))
	}
	frag := "<ul>" + b.String() + "</ul>"
	if err := lots.PutString(key, frag, &cloudflare.KVNamespacePutOptions{ExpirationTTL: tickerTTL}); err != nil { // EXPECT kvttl
		fmt.Println("ticker cache:", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, frag)
}
