//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type prefToken struct {
	Email string `json:"email"`
	List  string `json:"list"`
}

// Prefs are one subscriber's topic choices on one list.
type Prefs struct {
	Topics  []string  `json:"topics,omitzero"`
	Digest  string    `json:"digest,omitempty"` // "", "weekly", "monthly"
	Updated time.Time `json:"updated,omitzero"`
}

func (e *Edge) prefs(w http.ResponseWriter, r *http.Request) {
	v, err := e.Links.GetString("pref:"+r.PathValue("token"), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	var tok prefToken
	if err := json.Unmarshal([]byte(v), &tok); err != nil {
		http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
		return
	}
	cur, err := e.Links.GetString("prefs:"+tok.List+":"+tok.Email, nil)
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	var p Prefs
	if cur != jsNull {
		json.Unmarshal([]byte(cur), &p)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		List string `json:"list"`
		Prefs
	}{tok.List, p})
}

// savePrefs applies the toggles of the preference form: "+topic" adds a
// topic, "-topic" removes one.
func (e *Edge) savePrefs(w http.ResponseWriter, r *http.Request) {
	if !e.allow(r, "prefs:"+r.PathValue("token")) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	v, err := e.Links.GetString("pref:"+r.PathValue("token"), nil)
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if v == "" { // EXPECT kvnull
		http.Error(w, "This link has expired.", http.StatusNotFound)
		return
	}
	var tok prefToken
	if err := json.Unmarshal([]byte(v), &tok); err != nil {
		http.Error(w, "bad link", http.StatusBadRequest)
		return
	}
	key := "prefs:" + tok.List + ":" + tok.Email
	cur, err := e.Links.GetString(key, nil)
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	var p Prefs
	if cur != jsNull {
		if err := json.Unmarshal([]byte(cur), &p); err != nil {
			http.Error(w, "corrupt preferences", http.StatusInternalServerError)
			return
		}
	}
	r.ParseForm()
	for _, t := range r.PostForm["toggle"] {
		switch {
		case strings.HasPrefix(t, "+") && !slices.Contains(p.Topics, t[1:]):
			p.Topics = append(p.Topics, t[1:])
		case strings.HasPrefix(t, "-"):
			p.Topics = slices.DeleteFunc(p.Topics, func(s string) bool { return s == t[1:] })
		}
	}
	if d := r.PostForm.Get("digest"); d != "" {
		p.Digest = d
	}
	p.Updated = time.Now().UTC()
	out, _ := json.Marshal(p)
	if err := e.Links.PutString(key, string(out), nil); err != nil { // EXPECT kvrace
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// allow asks the rate-limiter Durable Object for the bucket of name.
func (e *Edge) allow(r *http.Request, name string) bool {
	stub, err := e.Limiter.Get(e.Limiter.IdFromName(name))
	if err != nil {
		return true
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "https://limiter/take", nil)
	if err != nil {
		return true
	}
	res, err := stub.Fetch(req)
	if err != nil {
		return true
	}
	defer res.Body.Close()
	return res.StatusCode != http.StatusTooManyRequests
}
