// Package bans manages player bans. A ban is a KV record the edge Worker
// checks before it admits a player to a lobby; banning also ends the
// player's sessions, which live in the edge's session namespace.
package bans

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/kvstore"
	"github.com/lanternforge/waxwing/internal/retry"
)

// listKey holds the IDs of all banned players; the edge keeps it in memory.
var listKey = keys.Bans.Child("list").String()

const (
	pageSize        = 100
	maxSessionPages = 20
)

// Ban is one ban. A zero Until is permanent.
type Ban struct {
	Player string    `json:"player"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Until  time.Time `json:"until,omitzero"`
}

type Service struct {
	kv       *kvstore.Logged // game namespace
	sessions *kvstore.Logged // edge session namespace
	log      *slog.Logger
}

func New(game, sessions *kvstore.Logged, log *slog.Logger) *Service {
	return &Service{kv: game, sessions: sessions, log: log}
}

// HandleBan serves POST /admin/bans.
func (s *Service) HandleBan(w http.ResponseWriter, r *http.Request) {
	var b Ban
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Player == "" {
		http.Error(w, "bad ban", http.StatusBadRequest)
		return
	}
	b.At = time.Now().UTC()
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	body, _ := json.Marshal(b)
	var ttl time.Duration
	if !b.Until.IsZero() {
		ttl = max(time.Until(b.Until), time.Minute)
	}
	err := s.kv.Put(ctx, keys.Bans.With(b.Player).String(), body, ttl)
	if err == nil {
		err = s.addToList(ctx, b.Player)
	}
	if err == nil {
		err = s.endSessions(ctx, b.Player)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "ban", "player", b.Player, "err", err)
		http.Error(w, "ban failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Service) addToList(ctx context.Context, player string) error {
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		var list []string
		raw, err := s.kv.Get(ctx, listKey)
		if err == nil {
			err = json.Unmarshal(raw, &list)
		}
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		if slices.Contains(list, player) {
			return nil
		}
		body, _ := json.Marshal(append(list, player))
		return s.kv.Put(ctx, listKey, body, 0) // EXPECT kvrace
	})
}

// endSessions deletes every session of player.
func (s *Service) endSessions(ctx context.Context, player string) error {
	prefix := keys.Sessions.With(player).Prefix()
	cursor := ""
	for range maxSessionPages {
		names, next, err := s.sessions.Page(ctx, prefix, cursor, pageSize)
		if err != nil {
			return err
		}
		for _, k := range names {
			if err := s.sessions.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("bans: %s has more than %d pages of sessions", player, maxSessionPages)
}

// HandleUnban serves DELETE /admin/bans/{player}.
func (s *Service) HandleUnban(w http.ResponseWriter, r *http.Request) {
	player := r.PathValue("player")
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	err := s.kv.Delete(ctx, keys.Bans.With(player).String())
	if err == nil {
		err = s.kv.Client().Update(ctx, listKey, 0, func(old []byte) ([]byte, error) {
			var list []string
			if old != nil {
				if err := json.Unmarshal(old, &list); err != nil {
					return nil, err
				}
			}
			return json.Marshal(slices.DeleteFunc(list, func(p string) bool { return p == player }))
		})
	}
	if err != nil {
		http.Error(w, "unban failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// HandleRevokeToken serves POST /admin/tokens/{jti}/revoke. The edge refuses
// refresh tokens whose jti has a revocation record.
func (s *Service) HandleRevokeToken(w http.ResponseWriter, r *http.Request) {
	reason, _ := json.Marshal(map[string]string{"reason": r.URL.Query().Get("reason"), "at": time.Now().UTC().Format(time.RFC3339)})
	key := keys.Auth.Child("revoked").With(r.PathValue("jti")).String()
	if err := s.sessions.Put(r.Context(), key, reason, 30*24*time.Hour); err != nil { // EXPECT kvsession
		http.Error(w, "revoke failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// HandleList serves GET /admin/bans?cursor=: one page of bans and the cursor
// of the next.
func (s *Service) HandleList(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	names, next, err := s.kv.Page(ctx, keys.Bans.Prefix(), r.URL.Query().Get("cursor"), pageSize)
	if err != nil {
		http.Error(w, "list failed", http.StatusBadGateway)
		return
	}
	var out struct {
		Bans   []Ban  `json:"bans"`
		Cursor string `json:"cursor,omitempty"`
	}
	out.Cursor = next
	for _, k := range names {
		if k.Name == listKey {
			continue
		}
		raw, err := s.kv.Get(ctx, k.Name) // EXPECT kvlist
		var b Ban
		if err == nil && json.Unmarshal(raw, &b) == nil {
			out.Bans = append(out.Bans, b)
		}
	}
	json.NewEncoder(w).Encode(out)
}
