// Package matchstate replicates lobbies, matches and player records with
// Raft. Every applied command is mirrored to KV so the edge Worker and the
// API's caches can read it.
package matchstate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/hashicorp/raft"
)

// Op names a replicated command.
type Op string

const (
	OpPlayerUpsert Op = "player.upsert"
	OpLobbyCreate  Op = "lobby.create"
	OpLobbyJoin    Op = "lobby.join"
	OpMatchStart   Op = "match.start"
	OpMatchScore   Op = "match.score"
	OpMatchEnd     Op = "match.end"
)

// Envelope is the wire format of a log entry.
type Envelope struct {
	Op   Op              `json:"op"`
	V    int             `json:"v"`
	Data json.RawMessage `json:"data"`
}

type Player struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Level int    `json:"level"`
}

type Lobby struct {
	ID      string   `json:"id"`
	Slug    string   `json:"slug"`
	Host    string   `json:"host"`
	Members []string `json:"members"`
	Max     int      `json:"max"`
}

type Match struct {
	ID      string    `json:"id"`
	LobbyID string    `json:"lobbyId"`
	Players []string  `json:"players"`
	Started time.Time `json:"started"`
}

type joinCmd struct {
	LobbyID  string `json:"lobbyId"`
	PlayerID string `json:"playerId"`
}

type scoreCmd struct {
	MatchID string `json:"matchId"`
	Delta   int    `json:"delta"`
}

type state struct {
	Players map[string]Player `json:"players"`
	Lobbies map[string]Lobby  `json:"lobbies"`
	Matches map[string]Match  `json:"matches"`
	Scores  map[string]int    `json:"scores"`
}

// Mirror is where applied state is copied to.
type Mirror struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
	ProfileTTL  time.Duration
}

func (m Mirror) put(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(m.AccountID),
		Value:     cloudflare.F(string(b)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err = m.API.KV.Namespaces.Values.Update(ctx, m.NamespaceID, key, params)
	return err
}

// FSM is the replicated state machine.
type FSM struct {
	mu     sync.RWMutex
	st     state
	mirror Mirror
	log    *slog.Logger
}

var _ raft.FSM = (*FSM)(nil)

// NewFSM returns an empty state machine mirroring to m.
func NewFSM(m Mirror, log *slog.Logger) *FSM {
	return &FSM{
		st: state{
			Players: map[string]Player{},
			Lobbies: map[string]Lobby{},
			Matches: map[string]Match{},
			Scores:  map[string]int{},
		},
		mirror: m,
		log:    log,
	}
}

// Apply applies one committed log entry.
func (f *FSM) Apply(l *raft.Log) any {
	var env Envelope
	if err := json.Unmarshal(l.Data, &env); err != nil {
		return fmt.Errorf("matchstate: decode entry %d: %w", l.Index, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	f.mu.Lock()
	defer f.mu.Unlock()

	switch env.Op {
	case OpPlayerUpsert:
		var p Player
		if err := json.Unmarshal(env.Data, &p); err != nil {
			return err
		}
		f.st.Players[p.ID] = p
		return f.mirror.put(ctx, "player:"+p.ID, p, f.mirror.ProfileTTL)

	case OpLobbyCreate:
		var lb Lobby
		if err := json.Unmarshal(env.Data, &lb); err != nil {
			return err
		}
		f.st.Lobbies[lb.ID] = lb
		if err := f.mirror.put(ctx, "lobby:"+lb.ID, lb, 0); err != nil {
			return err
		}
		return lb

	case OpLobbyJoin:
		var c joinCmd
		if err := json.Unmarshal(env.Data, &c); err != nil {
			return err
		}
		lb, ok := f.st.Lobbies[c.LobbyID]
		if !ok {
			return fmt.Errorf("matchstate: no lobby %q", c.LobbyID)
		}
		if !slices.Contains(lb.Members, c.PlayerID) {
			if lb.Max > 0 && len(lb.Members) >= lb.Max {
				return fmt.Errorf("matchstate: lobby %q is full", c.LobbyID)
			}
			lb.Members = append(lb.Members, c.PlayerID)
			f.st.Lobbies[c.LobbyID] = lb
		}
		if err := f.mirror.put(ctx, "lobby:"+lb.ID, lb, 0); err != nil {
			return err
		}
		return lb

	case OpMatchStart:
		var m Match
		if err := json.Unmarshal(env.Data, &m); err != nil {
			return err
		}
		f.st.Matches[m.ID] = m
		if err := f.mirror.put(ctx, "match:"+m.ID, m, 6*time.Hour); err != nil {
			return err
		}
		for _, pid := range m.Players {
			status := map[string]string{"match": m.ID, "state": "in_match"}
			if err := f.mirror.put(ctx, "mm:status:"+pid, status, 2*time.Hour); err != nil {
				f.log.Warn("mirror status", "player", pid, "err", err)
			}
			feed := map[string]string{"match": m.ID, "player": pid}
			if err := f.mirror.put(ctx, "match:feed:latest", feed, 0); err != nil { // EXPECT kvhotkey
				f.log.Warn("mirror feed", "err", err)
			}
		}
		return m

	case OpMatchScore:
		var c scoreCmd
		if err := json.Unmarshal(env.Data, &c); err != nil {
			return err
		}
		f.st.Scores[c.MatchID] += c.Delta
		_, err := f.mirror.API.KV.Namespaces.Values.Update(ctx, f.mirror.NamespaceID, "match:"+c.MatchID+":score", kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
			AccountID: cloudflare.F(f.mirror.AccountID),
			Value:     cloudflare.F(strconv.Itoa(f.st.Scores[c.MatchID])),
		})
		return err

	case OpMatchEnd:
		var id string
		if err := json.Unmarshal(env.Data, &id); err != nil {
			return err
		}
		delete(f.st.Matches, id)
		delete(f.st.Scores, id)
		_, err := f.mirror.API.KV.Namespaces.Values.Delete(ctx, f.mirror.NamespaceID, "match:"+id, kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(f.mirror.AccountID),
		})
		return err
	}
	return fmt.Errorf("matchstate: unknown op %q", env.Op)
}

// Player returns the replicated record of id.
func (f *FSM) Player(id string) (Player, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, ok := f.st.Players[id]
	return p, ok
}

// Lobby returns the replicated record of id.
func (f *FSM) Lobby(id string) (Lobby, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	lb, ok := f.st.Lobbies[id]
	return lb, ok
}

type snapshot struct{ st state }

// Snapshot copies the state for Persist.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return &snapshot{st: state{
		Players: maps.Clone(f.st.Players),
		Lobbies: maps.Clone(f.st.Lobbies),
		Matches: maps.Clone(f.st.Matches),
		Scores:  maps.Clone(f.st.Scores),
	}}, nil
}

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	if err := json.NewEncoder(sink).Encode(s.st); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *snapshot) Release() {}

// Restore replaces the state with a snapshot and removes mirrored matches
// that the snapshot no longer holds.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	var st state
	if err := json.NewDecoder(rc).Decode(&st); err != nil {
		return err
	}
	f.mu.Lock()
	f.st = st
	f.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stale []string
	cursor := ""
	for {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(f.mirror.AccountID),
			Prefix:    cloudflare.F("match:"),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := f.mirror.API.KV.Namespaces.Keys.List(ctx, f.mirror.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			id := k.Name[len("match:"):]
			if _, ok := st.Matches[id]; !ok {
				stale = append(stale, k.Name)
			}
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}
	for chunk := range slices.Chunk(stale, 10_000) {
		if _, err := f.mirror.API.KV.Namespaces.Keys.BulkDelete(ctx, f.mirror.NamespaceID, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(f.mirror.AccountID),
			Body:      chunk,
		}); err != nil {
			return err
		}
	}
	return nil
}
