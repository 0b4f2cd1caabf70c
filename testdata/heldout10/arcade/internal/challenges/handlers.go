package challenges

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/arcade/internal/keys"
)

// Today serves today's challenge index.
func (s *Service) Today(w http.ResponseWriter, r *http.Request) {
	v, err := s.ns.GetString(todayKey, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		http.Error(w, "today's challenges are not published yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write([]byte(v))
}

// Definition serves one challenge by day and slot.
func (s *Service) Definition(w http.ResponseWriter, r *http.Request) {
	key := keys.Challenge + r.PathValue("day") + ":" + r.PathValue("slot")
	raw, err := s.ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	var d Def
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		http.Error(w, "corrupt challenge", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(d)
}

// Archive returns one page of published challenge keys.
func (s *Service) Archive(w http.ResponseWriter, r *http.Request) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: keys.Challenge, Cursor: r.URL.Query().Get("cursor"), Limit: 1200}) // EXPECT kvlimits
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	out := struct {
		Keys   []string `json:"keys"`
		Cursor string   `json:"cursor,omitempty"`
	}{}
	for _, k := range res.Keys {
		if strings.Count(k.Name, ":") == 2 && !strings.HasSuffix(k.Name, ":seed") && !strings.HasSuffix(k.Name, ":bitmap") {
			out.Keys = append(out.Keys, k.Name)
		}
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// AwardBadge lets a finisher show the challenge badge until the challenge ends.
func (s *Service) AwardBadge(ctx context.Context, d Def, player string) error {
	return s.ns.PutString("badge:"+d.ID+":"+player, d.Day, &kv.PutOptions{ExpirationTTL: int(time.Until(d.EndsAt).Seconds())}) // EXPECT kvttl
}

// Remind records that the player wants a push before the challenge closes.
func (s *Service) Remind(ctx context.Context, d Def, player string) error {
	ttl := time.Until(d.EndsAt)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString("remind:"+d.Day+":"+player, d.ID, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Finishers lists players who completed a challenge, up to maxPages pages.
func (s *Service) Finishers(ctx context.Context, day, id string, maxPages int) ([]string, error) {
	prefix := keys.Challenge + day + ":" + id + ":done:"
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Limit: 1000})
	if err != nil {
		return nil, err
	}
	players := names(res, prefix)
	for page := 1; !res.ListComplete && page < maxPages; page++ {
		res, err = s.ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return players, err
		}
		players = append(players, names(res, prefix)...)
	}
	return players, nil
}

func names(res *kv.ListResult, prefix string) []string {
	out := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out
}
