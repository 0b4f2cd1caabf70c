//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// transparentGIF is a 1x1 transparent GIF.
var transparentGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func (e *Edge) pixel(w http.ResponseWriter, r *http.Request) {
	campaign := r.PathValue("campaign")
	sub := strings.TrimSuffix(r.PathValue("sub"), ".gif")
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store, max-age=0")
	w.Write(transparentGIF)

	cloudflare.WaitUntil(func() {
		now := time.Now().UTC()
		ev, _ := json.Marshal(map[string]any{"kind": "open", "sub": sub, "at": now})
		_ = e.Stats.PutString("evt:"+campaign+":"+rand.Text(), string(ev), &kv.PutOptions{
			ExpirationTTL: int((7 * 24 * time.Hour).Seconds()),
		})

		seenKey := "seen:" + campaign + ":" + sub
		seen, err := e.Stats.GetString(seenKey, nil)
		if err != nil || seen != jsNull {
			return
		}
		_ = e.Stats.PutString(seenKey, "1", &kv.PutOptions{ // DEBATABLE kvrace
			ExpirationTTL: int(30 * 24 * time.Hour), // EXPECT kvttl
		})
		n := 0
		if v, err := e.Stats.GetString("opens:"+campaign, nil); err != nil {
			return
		} else if v != jsNull {
			n, _ = strconv.Atoi(v)
		}
		_ = e.Stats.PutString("opens:"+campaign, strconv.Itoa(n+1), nil)        // EXPECT kvcounter|kvrace
		_ = e.Stats.PutString("pixel:last-open", now.Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
}

// archive renders the public archive of a list, 20 issues per page.
func (e *Edge) archive(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	res, err := e.Links.List(&kv.ListOptions{Prefix: "archive:" + list + ":", Limit: 20, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	type issue struct {
		Subject string `json:"subject"`
		URL     string `json:"url"`
		Sent    string `json:"sent"`
	}
	var out struct {
		Issues []issue `json:"issues"`
		Next   string  `json:"next,omitzero"`
	}
	for _, k := range res.Keys {
		v, err := e.Links.GetString(k.Name, &kv.GetOptions{ // EXPECT kvlist
			CacheTTL: 15, // EXPECT kvttl
		})
		if err != nil || v == jsNull {
			continue
		}
		var is issue
		if json.Unmarshal([]byte(v), &is) == nil {
			out.Issues = append(out.Issues, is)
		}
	}
	if !res.ListComplete {
		out.Next = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
